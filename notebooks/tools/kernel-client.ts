/**
 * A minimal Jupyter client for one kernel (tslab's or Deno's), over the zeromq that tslab itself uses, so
 * notebooks run headless without Python (tslab itself has no run command, and Jupyter's clients are Python). It speaks the wire protocol
 * (HMAC-SHA256-signed multipart messages) on the shell, iopub and control channels.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { Dealer, Subscriber } from "zeromq";

export interface Message {
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

const DELIM = "<IDS|MSG>";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class KernelClient {
  private readonly shell = new Dealer();
  private readonly control = new Dealer();
  private readonly iopub = new Subscriber();
  private readonly listeners = new Map<string, (m: Message, channel: "shell" | "iopub") => void>();
  private closed = false;
  private exitInfo: string | null = null;
  /** Everything the kernel process wrote to its own stderr (not cell output), for error reports. */
  stderr = "";

  private constructor(
    private readonly proc: ChildProcess,
    private readonly key: string,
    private readonly tmp: string,
    /** How long a cell's outputs may trail its idle status (see kernels.ts). */
    private readonly lateOutputMs: number,
  ) {
    proc.on("exit", (code, sig) => (this.exitInfo = `kernel exited (code ${code}, signal ${sig})`));
    proc.stderr?.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20000)));
  }

  /** Starts a kernelspec's argv in `cwd` and waits until shell and iopub both answer. */
  static async start(spec: { name: string; argv: string[]; lateOutputMs?: number }, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<KernelClient> {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "nbrun-"));
    const key = randomUUID();
    const ports = { shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort() };
    const conn = path.join(tmp, "kernel.json");
    writeFileSync(conn, JSON.stringify({ ...ports, ip: "127.0.0.1", key, transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: spec.name }));
    const [cmd, ...args] = spec.argv.map((a) => a.replace("{connection_file}", conn));
    const proc = spawn(cmd!, args, { cwd, env, stdio: ["ignore", "inherit", "pipe"] });
    const k = new KernelClient(proc, key, tmp, spec.lateOutputMs ?? 0);
    k.shell.connect(`tcp://127.0.0.1:${ports.shell_port}`);
    k.control.connect(`tcp://127.0.0.1:${ports.control_port}`);
    k.iopub.connect(`tcp://127.0.0.1:${ports.iopub_port}`);
    k.iopub.subscribe();
    void k.pump(k.shell, "shell");
    void k.pump(k.iopub, "iopub");
    await k.waitReady(timeoutMs);
    return k;
  }

  private sign(parts: string[]): string {
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  private async pump(sock: Dealer | Subscriber, channel: "shell" | "iopub"): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = (await sock.receive()) as Buffer[];
      } catch {
        return; // socket closed
      }
      const i = frames.findIndex((f) => f.toString() === DELIM);
      if (i < 0 || frames.length < i + 6) continue;
      const [sig, header, parent, metadata, content] = frames.slice(i + 1, i + 6).map((f) => f.toString());
      if (sig !== this.sign([header!, parent!, metadata!, content!])) continue; // not ours
      const m: Message = { header: JSON.parse(header!), parent_header: JSON.parse(parent!), metadata: JSON.parse(metadata!), content: JSON.parse(content!) };
      const id = m.parent_header.msg_id;
      if (id) this.listeners.get(id)?.(m, channel);
    }
  }

  private async send(sock: Dealer, msgType: string, content: Record<string, unknown>): Promise<string> {
    const msgId = randomUUID();
    const header = JSON.stringify({ msg_id: msgId, msg_type: msgType, username: "nbrun", session: this.tmp, date: new Date().toISOString(), version: "5.3" });
    const parts = [header, "{}", "{}", JSON.stringify(content)];
    await sock.send([DELIM, this.sign(parts), ...parts]);
    return msgId;
  }

  /** PUB/SUB drops messages until the subscription has propagated: ask until iopub answers too. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.exitInfo) throw new Error(`${this.exitInfo}\n${this.stderr}`);
      let shellOk = false;
      let iopubOk = false;
      const id = await this.send(this.shell, "kernel_info_request", {});
      this.listeners.set(id, (_m, ch) => (ch === "shell" ? (shellOk = true) : (iopubOk = true)));
      const t0 = Date.now();
      while (Date.now() - t0 < 1000 && !(shellOk && iopubOk)) await new Promise((r) => setTimeout(r, 20));
      this.listeners.delete(id);
      if (shellOk && iopubOk) return;
    }
    throw new Error(`the kernel did not answer within ${timeoutMs / 1000} s\n${this.stderr}`);
  }

  /**
   * Runs one cell. `onIopub` sees every output message; resolves with the execute_reply once the
   * kernel is idle again and `lateOutputMs` more have passed (all outputs of the cell have arrived
   * by then).
   */
  async execute(code: string, onIopub: (m: Message) => void, timeoutMs: number): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      let reply: Message | null = null;
      let idle = false;
      let settling = false;
      let id = "";
      const timer = setTimeout(() => finish(new Error(`cell timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      const poll = setInterval(() => this.exitInfo && finish(new Error(`${this.exitInfo}\n${this.stderr}`)), 500);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(id);
        if (err) reject(err);
        else resolve(reply!);
      };
      void this.send(this.shell, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }).then((msgId) => {
        id = msgId;
        this.listeners.set(id, (m, ch) => {
          if (ch === "shell") {
            if (m.header.msg_type === "execute_reply") reply = m;
          } else if (m.header.msg_type === "status") {
            if (m.content.execution_state === "idle") idle = true;
          } else onIopub(m);
          if (reply && idle && !settling) {
            settling = true;
            setTimeout(finish, this.lateOutputMs);
          }
        });
      }, reject);
    });
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.race([this.send(this.control, "shutdown_request", { restart: false }), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      /* the kernel may already be gone */
    }
    await new Promise((r) => setTimeout(r, 300));
    this.closed = true;
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGTERM");
    this.shell.close();
    this.control.close();
    this.iopub.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
