/** Shared helpers of the importer tests: fixture paths, scratch folders, a loopback file server. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TORCH_FIXTURES } from "../src/testing.js";

export { TORCH_FIXTURES };
export const ORIGINAL_NAMES = ["et_model_state_dict.pt", "validation_data.pt", "induction_candidates.pt"] as const;

export function fixture(name: string): Buffer {
  return readFileSync(path.join(TORCH_FIXTURES, name));
}

export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(TORCH_FIXTURES, name), "utf8")) as T;
}

export function expectedJson<T = Record<string, unknown>>(): T {
  return fixtureJson<T>("expected.json");
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const scratch: string[] = [];

export function tempDir(label: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `isc-import-${label}-`));
  scratch.push(d);
  return d;
}

export function cleanTempDirs(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A --from folder holding the three fixture files under their original names, with some replaced:
 * `swap` maps an original name to another fixture file (e.g. a bad/ one).
 */
export function sourceFolder(swap: Partial<Record<(typeof ORIGINAL_NAMES)[number], string>> = {}): string {
  const d = tempDir("from");
  mkdirSync(d, { recursive: true });
  for (const n of ORIGINAL_NAMES) copyFileSync(path.join(TORCH_FIXTURES, swap[n] ?? n), path.join(d, n));
  return d;
}

export interface ServedRequest {
  path: string;
  range: string | undefined;
  acceptEncoding: string | undefined;
}

export interface FileServerBehaviour {
  /** For the file with this name, cut the connection after `bytes` body bytes, on the first `times` responses. */
  cut?: { file: string; bytes: number; times: number };
  /** Answer 200 with the whole file even to range requests. */
  ignoreRange?: boolean;
}

/**
 * Serves the fixture files at http://127.0.0.1:<port>/files/<original name>, honouring `Range: bytes=N-`.
 * Listens on loopback only and closes with `close()`.
 */
export class FileServer {
  readonly requests: ServedRequest[] = [];
  behaviour: FileServerBehaviour = {};
  private server: Server | null = null;
  private cutsDone = 0;
  baseUrl = "";

  constructor(private readonly files: Map<string, Buffer>) {}

  static fixtures(): FileServer {
    return new FileServer(new Map(ORIGINAL_NAMES.map((n) => [n, fixture(n)])));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/files`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const name = decodeURIComponent((req.url ?? "").replace(/^\/files\//, ""));
    this.requests.push({ path: req.url ?? "", range: req.headers.range, acceptEncoding: req.headers["accept-encoding"] as string | undefined });
    const body = this.files.get(name);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (m && !this.behaviour.ignoreRange) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}`, "accept-ranges": "bytes" });
    } else {
      res.writeHead(200, { "content-length": body.length, "accept-ranges": "bytes", "content-type": "application/octet-stream" });
    }
    const cut = this.behaviour.cut;
    if (cut && cut.file === name && this.cutsDone < cut.times && body.length - start > cut.bytes) {
      this.cutsDone++;
      // Send part of the body, then drop the connection: what a flaky network does mid-download.
      res.write(body.subarray(start, start + cut.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body.subarray(start));
  }
}
