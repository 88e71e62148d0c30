/**
 * `pnpm import-redwood --download` against a loopback HTTP server serving the fixture files: a download
 * that breaks mid-way resumes with a Range request (in the same run, or in a later one), a server that
 * ignores ranges is handled, the sha256 is recorded and then enforced, and HTTP errors are clear.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, test } from "node:test";
import { initBackend } from "@isc/core";
import { ByteProgress } from "../src/byte-progress.js";
import { downloadFile } from "../src/download.js";
import { importRedwood, type ImportOptions } from "../src/run-import.js";
import { checkOrRecord, readSourcesFile, SOURCES } from "../src/sources.js";
import { cleanTempDirs, FileServer, fixture, ORIGINAL_NAMES, tempDir } from "./import-helpers.js";

let server: FileServer;

before(async () => {
  await initBackend({ quiet: true });
});
afterEach(async () => {
  await server?.close();
});
after(cleanTempDirs);

async function serve(): Promise<FileServer> {
  server = await FileServer.fixtures().start();
  return server;
}

function options(extra: Partial<ImportOptions>): ImportOptions {
  return {
    out: path.join(tempDir("out"), "redwood"),
    cache: tempDir("cache"),
    download: true,
    baseUrl: server.baseUrl,
    quiet: true,
    retryDelayMs: 0,
    ...extra,
  };
}

const sameBytes = (file: string, name: string) => readFileSync(file).equals(fixture(name));

test("--download fetches the three files, records their sha256 and imports them", async () => {
  await serve();
  const o = options({});
  const r = await importRedwood(o);
  for (const n of ORIGINAL_NAMES) assert.ok(sameBytes(path.join(o.cache, n), n), n);
  assert.deepEqual(server.requests.map((q) => q.path).sort(), ORIGINAL_NAMES.map((n) => `/files/${n}`).sort());
  assert.ok(server.requests.every((q) => q.range === undefined && q.acceptEncoding === "identity"));
  const rec = readSourcesFile(path.join(o.out, "sources.json"));
  for (const n of ORIGINAL_NAMES) {
    assert.equal(rec.files[n].obtained, "download");
    assert.equal(rec.files[n].url, `${server.baseUrl}/${n}`);
    assert.equal(rec.files[n].bytes, fixture(n).length);
  }
  assert.equal(r.rows, 12);
  assert.ok(existsSync(path.join(o.out, "model.safetensors")));
});

test("a connection cut mid-download resumes from where it stopped, in the same run", async () => {
  await serve();
  const cutAt = 20000;
  server.behaviour = { cut: { file: "et_model_state_dict.pt", bytes: cutAt, times: 1 } };
  const o = options({});
  const r = await importRedwood(o);
  const model = server.requests.filter((q) => q.path === "/files/et_model_state_dict.pt");
  assert.deepEqual(model.map((q) => q.range), [undefined, `bytes=${cutAt}-`]);
  assert.deepEqual(r.files.model.resumedAt, [cutAt]);
  assert.ok(sameBytes(path.join(o.cache, "et_model_state_dict.pt"), "et_model_state_dict.pt"));
  assert.ok(!existsSync(path.join(o.cache, "et_model_state_dict.pt.part")));
});

test("a download that keeps failing leaves a .part file that the next run resumes", async () => {
  await serve();
  const cutAt = 15000;
  server.behaviour = { cut: { file: "et_model_state_dict.pt", bytes: cutAt, times: 2 } };
  const o = options({ retries: 1 });
  await assert.rejects(importRedwood(o), /failed after 2 attempts \(the connection broke after 30000 bytes.*30000 bytes are kept in .*et_model_state_dict\.pt\.part: run again to resume/);
  const part = path.join(o.cache, "et_model_state_dict.pt.part");
  assert.equal(statSync(part).size, 2 * cutAt);
  server.requests.length = 0;
  const r = await importRedwood(o);
  assert.deepEqual(r.files.model.resumedAt, [2 * cutAt]);
  assert.equal(server.requests.find((q) => q.path === "/files/et_model_state_dict.pt")?.range, `bytes=${2 * cutAt}-`);
  assert.ok(sameBytes(path.join(o.cache, "et_model_state_dict.pt"), "et_model_state_dict.pt"));
});

test("a server that ignores Range gets the file from the start again", async () => {
  await serve();
  server.behaviour = { ignoreRange: true };
  const dest = path.join(tempDir("ign"), "validation_data.pt");
  writeFileSync(`${dest}.part`, Buffer.alloc(700, 0xee)); // a stale partial file of garbage
  const r = await downloadFile(`${server.baseUrl}/validation_data.pt`, dest, { quiet: true, retryDelayMs: 0 });
  assert.equal(server.requests[0].range, "bytes=700-");
  assert.deepEqual(r.resumedAt, []);
  assert.ok(sameBytes(dest, "validation_data.pt"));
});

test("a complete .part file (416 on resume) is taken as it is", async () => {
  await serve();
  const dest = path.join(tempDir("416"), "validation_data.pt");
  writeFileSync(`${dest}.part`, fixture("validation_data.pt"));
  await downloadFile(`${server.baseUrl}/validation_data.pt`, dest, { quiet: true, retryDelayMs: 0 });
  assert.ok(sameBytes(dest, "validation_data.pt"));
});

test("HTTP errors and unreachable servers are clear errors", async () => {
  await serve();
  await assert.rejects(
    downloadFile(`${server.baseUrl}/nothing.pt`, path.join(tempDir("404"), "x.pt"), { quiet: true }),
    /HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/files\/nothing\.pt/,
  );
  const url = server.baseUrl;
  await server.close();
  await assert.rejects(
    downloadFile(`${url}/validation_data.pt`, path.join(tempDir("down"), "x.pt"), { quiet: true, retries: 1, retryDelayMs: 0 }),
    /failed after 2 attempts \(cannot reach http:\/\/127\.0\.0\.1:\d+\/files\/validation_data\.pt/,
  );
});

test("a downloaded file that no longer matches its recorded sha256 is refused", async () => {
  await serve();
  const o = options({});
  await importRedwood(o);
  const cached = path.join(o.cache, "validation_data.pt");
  const bytes = readFileSync(cached);
  bytes[bytes.length - 30] ^= 1;
  writeFileSync(cached, bytes);
  await assert.rejects(importRedwood(o), /validation_data\.pt: sha256 [0-9a-f]{64} \(2559 bytes\) differs from the one recorded when validation_data\.pt was first downloaded/);
});

test("a download from the original address must match the sha256 pinned in code", () => {
  const cand = SOURCES.find((s) => s.key === "candidates")!;
  const ctx = { url: cand.url, obtained: "download", sourcesPath: "sources.json", filePath: "induction_candidates.pt" };
  assert.throws(() => checkOrRecord(cand, "0".repeat(64), 1, readSourcesFile("/nonexistent"), ctx), /is not that of the original induction_candidates\.pt/);
  const ok = checkOrRecord(cand, cand.sha256!, 201810, readSourcesFile("/nonexistent"), ctx);
  assert.deepEqual([ok.status, ok.original], ["recorded", true]);
  // The same bytes from a folder are the user's business: a warning, not an error.
  const local = checkOrRecord(cand, "0".repeat(64), 1, readSourcesFile("/nonexistent"), { ...ctx, obtained: "/some/dir" });
  assert.equal(local.original, false);
  assert.match(local.warnings[0], /importing it as given/);
});

test("the progress bar writes plain lines when stderr is not a terminal", () => {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => {
    lines.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const p = new ByteProgress("file.pt");
    for (let done = 0; done <= 1000; done += 50) p.update(done, 1000);
    p.update(1000, 1000, 0, true);
  } finally {
    process.stderr.write = write;
  }
  if (process.stderr.isTTY) return; // a terminal gets one redrawn line instead
  assert.ok(lines.length >= 10 && lines.length <= 13, `${lines.length} lines`);
  assert.match(lines.at(-1)!, /^file\.pt \[#{24}\] 0\.0\/0\.0 MiB .*\n$/);
});
