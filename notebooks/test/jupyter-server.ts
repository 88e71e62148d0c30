/**
 * A Jupyter notebook server for tests: Debian's `jupyter notebook` on loopback with a random token,
 * the project's tslab kernelspec (`.jupyter-data`), and every other Jupyter folder (config, data,
 * runtime: where trust signatures live) in a temporary directory, so nothing of the user's
 * Jupyter set-up is read or written.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { writeKernelspecs } from "../tools/kernelspec.js";

export interface JupyterServer {
  readonly url: string;
  readonly token: string;
  /** The last lines the server (and its kernels) wrote to stderr, for failure messages. */
  log(): string;
  /** `jupyter` with the server's environment (for nbconvert). */
  run(args: string[]): { status: number | null; stderr: string };
  stop(): void;
}

/** Debian's `jupyter notebook` and `jupyter nbconvert` (packages jupyter-notebook, jupyter-nbconvert). */
export function haveJupyter(): boolean {
  return ["notebook", "nbconvert"].every((c) => spawnSync("jupyter", [c, "--version"], { encoding: "utf8" }).status === 0);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Starts the server on `root` and resolves once it answers its API; the kernels it starts get `kernelEnv`. */
export async function startJupyter(root: string, kernelEnv: NodeJS.ProcessEnv): Promise<JupyterServer> {
  const home = mkdtempSync(path.join(os.tmpdir(), "jupyter-home-"));
  const jupyterPath = path.dirname(path.dirname(writeKernelspecs()[0]!)); // .jupyter-data, above kernels/<name>
  const env = {
    ...process.env,
    ...kernelEnv,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_CONFIG_DIR: path.join(home, "config"),
    JUPYTER_DATA_DIR: path.join(home, "data"),
    JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
    IPYTHONDIR: path.join(home, "ipython"),
  };
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const args = ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--NotebookApp.token=${token}`, `--notebook-dir=${root}`];
  if (process.getuid?.() === 0) args.push("--allow-root"); // CI containers run as root
  const proc: ChildProcess = spawn("jupyter", args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter notebook exited (${proc.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not answer within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    token,
    log: () => log,
    run: (a) => spawnSync("jupyter", a, { env, encoding: "utf8" }),
    stop: () => {
      proc.kill("SIGTERM");
    },
  };
}
