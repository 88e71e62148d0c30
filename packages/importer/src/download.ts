/**
 * Resumable HTTP download: bytes go to `<dest>.part`, which is renamed to `dest` only once complete.
 * When a connection breaks, the next attempt (in this run, or a later run) asks for the rest with a
 * `Range: bytes=N-` request; a server that answers 200 instead of 206 is served from scratch. Compressed
 * transfer is refused (`Accept-Encoding: identity`) because byte ranges of a gzip stream are not byte
 * ranges of the file.
 */
import { ResourceError } from "@isc/core";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { ByteProgress } from "./byte-progress.js";

export class DownloadError extends ResourceError {
  override name = "DownloadError";
}

export interface DownloadOptions {
  /** Further attempts after the first one fails mid-way (default 5). */
  retries?: number;
  /** Wait before the first retry, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
  quiet?: boolean;
  label?: string;
}

export interface DownloadResult {
  bytes: number;
  /** Attempts made (0 when dest already existed). */
  attempts: number;
  /** Offsets at which attempts resumed a partial file (empty when it came in one go). */
  resumedAt: number[];
}

/** "bytes a-b/total" → {start, total}; total null for "*". */
function parseContentRange(v: string | null): { start: number; total: number | null } | null {
  const m = v?.match(/^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i);
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === "*" ? null : Number(m[3]) };
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  if (existsSync(dest)) return { bytes: statSync(dest).size, attempts: 0, resumedAt: [] };
  const part = `${dest}.part`;
  const retries = options.retries ?? 5;
  let delay = options.retryDelayMs ?? 1000;
  const progress = new ByteProgress(options.label ?? url, options.quiet);
  const resumedAt: number[] = [];
  let lastError = "";
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) {
      progress.say(`${options.label ?? url}: ${lastError}; retrying in ${delay / 1000}s (attempt ${attempt} of ${retries + 1})`);
      await sleep(delay);
      delay *= 2;
    }
    const r = await attemptDownload(url, part, progress, resumedAt);
    if ("retry" in r) {
      lastError = r.retry;
      continue;
    }
    renameSync(part, dest);
    return { bytes: r.bytes, attempts: attempt, resumedAt };
  }
  progress.finish();
  throw new DownloadError(
    `download of ${url} failed after ${retries + 1} attempts (${lastError}); ${sizeOf(part)} bytes are kept in ${part}: run again to resume`,
  );
}

/** A complete `part` of `bytes`, or why to try again; throws where trying again cannot help. */
type Attempt = { bytes: number } | { retry: string };

/** One request for the rest of `part`; appends what arrives. */
async function attemptDownload(url: string, part: string, progress: ByteProgress, resumedAt: number[]): Promise<Attempt> {
  const have = sizeOf(part);
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  if (have > 0) headers.range = `bytes=${have}-`;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "follow" });
  } catch (e) {
    return { retry: `cannot reach ${url} (${errText(e)})` };
  }
  if (res.status === 416 && have > 0) {
    // Nothing left to send from `have` on: the part is complete if its size is the file's size.
    const cr = parseContentRange(res.headers.get("content-range"));
    await res.body?.cancel();
    if (cr?.total === have) return { bytes: have };
    rmSync(part, { force: true });
    return { retry: `the server cannot resume from byte ${have}; starting over` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    const msg = `HTTP ${res.status} ${res.statusText} for ${url}`;
    if (res.status >= 400 && res.status < 500) throw new DownloadError(msg);
    return { retry: msg };
  }
  const encoding = res.headers.get("content-encoding");
  if (encoding && encoding !== "identity") {
    await res.body?.cancel();
    throw new DownloadError(`${url} was sent with Content-Encoding ${encoding} although identity was asked for; cannot resume such a transfer safely`);
  }
  const range = await rangeOf(res, have, part);
  if ("retry" in range) return range;
  if (res.status === 206) resumedAt.push(have);
  return receive(url, res, part, range, progress);
}

/** Where the body starts in the file and the file's size (null when the server does not say). */
async function rangeOf(res: Response, have: number, part: string): Promise<{ start: number; total: number | null } | { retry: string }> {
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get("content-range"));
    if (!cr || cr.start !== have) {
      await res.body?.cancel();
      rmSync(part, { force: true });
      return { retry: `the server answered the range request from ${have} with Content-Range ${JSON.stringify(res.headers.get("content-range"))}; starting over` };
    }
    return { start: have, total: cr.total };
  }
  // 200: the whole file, whether or not a range was asked for.
  const len = res.headers.get("content-length");
  return { start: 0, total: len !== null && /^\d+$/.test(len) ? Number(len) : null };
}

/** Writes the body into `part` from `start` on. */
async function receive(url: string, res: Response, part: string, { start, total }: { start: number; total: number | null }, progress: ByteProgress): Promise<Attempt> {
  const fh = await open(part, start > 0 ? "a" : "w");
  let written = start;
  try {
    if (!res.body) throw new DownloadError(`${url}: the response has no body`);
    progress.update(written, total, start, true);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      written += chunk.byteLength;
      progress.update(written, total, start);
    }
  } catch (e) {
    return { retry: `the connection broke after ${written} bytes (${errText(e)})` };
  } finally {
    await fh.close();
  }
  if (total !== null && written !== total) return { retry: `the transfer ended after ${written} of ${total} bytes` };
  progress.update(written, total, start, true);
  progress.finish();
  return { bytes: written };
}

function errText(e: unknown): string {
  const err = e as Error & { cause?: Error };
  return err.cause?.message ? `${err.message}: ${err.cause.message}` : err.message;
}
