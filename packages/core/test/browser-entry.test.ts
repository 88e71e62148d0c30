/**
 * The browser entry and the pieces it shares with Node: no Node-only import is reachable from
 * browser.ts (nor from scrubbing's and viz's entries), the plain-JS SHA-256 agrees with node:crypto,
 * datasets decode the same from bytes as from files, and bundles load over HTTP as from a directory.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import {
  DatasetFileError,
  decodeTokenDataset,
  dirSource,
  HookedTransformer,
  httpSource,
  initBackend,
  loadModelFrom,
  parseTokenDatasetMeta,
  readTokenDataset,
  saveModel,
  sha256Hex,
  TINY_ATTN_2L,
  writeTokenDataset,
} from "../src/index.js";
import * as browser from "../src/browser.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, "../../..");

/** Every module reachable from `entry` by static or dynamic import, with the bare specifiers it imports. */
function importGraph(entry: string): { files: string[]; bare: Map<string, string> } {
  const files: string[] = [];
  const bare = new Map<string, string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)) {
      const spec = m[1];
      if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec));
      else if (spec.startsWith("@isc/")) {
        const pkg = spec.slice(5).split("/")[0];
        visit(path.join(packages, pkg, "dist/src", pkg === "core" ? "browser.js" : "index.js"));
      } else if (!bare.has(spec)) bare.set(spec, path.relative(packages, file));
    }
  };
  visit(entry);
  return { files, bare };
}

test("nothing reachable from the browser entries of core, scrubbing and viz imports a Node-only module", () => {
  // lodash: one CommonJS file with no Node or DOM API.
  const allowed = /^(@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|backend-webgl|backend-webgpu)|js-tiktoken\/(lite|ranks\/r50k_base)|lodash)$/;
  for (const entry of ["core/dist/src/browser.js", "scrubbing/dist/src/index.js", "viz/dist/src/index.js"]) {
    const { files, bare } = importGraph(path.join(packages, entry));
    assert.ok(files.length > 3, entry);
    const bad = [...bare].filter(([spec]) => !allowed.test(spec)).map(([spec, from]) => `${spec} (from ${from})`);
    assert.deepEqual(bad, [], `${entry} reaches ${bad.join(", ")}`);
    for (const f of files) {
      const src = readFileSync(f, "utf8");
      // Node globals only behind a typeof guard (wasm-kernels' base64 fallback, the runner's yield).
      for (const g of ["process", "Buffer", "setImmediate"]) {
        if (new RegExp(`\\b${g}\\b[.(]`).test(src)) assert.match(src, new RegExp(`typeof ${g}\\b`), `${path.relative(packages, f)} uses ${g} unguarded`);
      }
    }
  }
});

test("the browser entry exports the model, dataset and backend pieces, and not Node's", () => {
  for (const name of ["HookedTransformer", "loadModelFrom", "httpSource", "decodeTokenDataset", "initBrowserBackend", "tokenizerFromSpec", "sha256Hex", "tf"]) {
    assert.ok(name in browser, name);
  }
  for (const name of ["loadModel", "readTokenDataset", "initBackend", "dirSource", "readZipEntries"]) assert.ok(!(name in browser), name);
});

test("sha256Hex agrees with node:crypto at block-boundary lengths", () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
  for (const n of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
    const b = data.subarray(0, n);
    assert.equal(sha256Hex(b), createHash("sha256").update(b).digest("hex"), `length ${n}`);
  }
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("decodeTokenDataset reads what writeTokenDataset wrote, and rejects changed bytes", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dataset-format-"));
  const file = path.join(dir, "d.u16");
  const tokens = Uint16Array.from({ length: 4 * 5 }, (_, i) => (i % 5 === 0 ? 9 : i % 9));
  writeTokenDataset(file, tokens, { width: 5, vocab: 10, begin_id: 9, source: "test" });
  const meta = parseTokenDatasetMeta(readFileSync(path.join(dir, "d.json"), "utf8"), "d.json");
  const bytes = new Uint8Array(readFileSync(file));
  const decoded = decodeTokenDataset(meta, bytes, "d.u16");
  assert.deepEqual(decoded.tokens, readTokenDataset(file).tokens);
  assert.deepEqual([...decoded.tokens], [...tokens]);
  bytes[3] ^= 1;
  assert.throws(() => decodeTokenDataset(meta, bytes, "d.u16"), (e: Error) => e instanceof DatasetFileError && /sha256 mismatch/.test(e.message));
  assert.throws(() => decodeTokenDataset(meta, bytes.subarray(2), "d.u16"), /truncated or stale/);
});

test("a model loads the same over HTTP (httpSource) as from its directory, and a missing file is a clear error", async () => {
  await initBackend({ quiet: true });
  const dir = mkdtempSync(path.join(tmpdir(), "http-source-"));
  const cfg = { ...TINY_ATTN_2L, d_vocab: 50 };
  const model = HookedTransformer.random(cfg, 4);
  await saveModel(model, dir);
  writeFileSync(path.join(dir, "note.txt"), "hello");
  const server = createServer((req, res) => {
    try {
      const m = /^\/bundle\/([\w.-]+)$/.exec(req.url ?? "");
      if (!m) throw new Error("not in the bundle");
      const body = readFileSync(path.join(dir, m[1]));
      res.writeHead(200, { "content-length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, "Not Found").end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle`;
    const seen: number[] = [];
    const src = httpSource(base, { onProgress: (name, loaded) => name === "model.safetensors" && seen.push(loaded) });
    assert.equal(await src.readText("note.txt"), "hello");
    assert.equal(await src.exists("note.txt"), true);
    assert.equal(await src.exists("missing.json"), false);
    const viaHttp = await loadModelFrom(src);
    const viaDir = await loadModelFrom(dirSource(dir));
    assert.deepEqual(viaHttp.cfg, viaDir.cfg);
    for (const k of Object.keys(viaDir.params)) assert.deepEqual(await viaHttp.params[k].data(), await viaDir.params[k].data(), k);
    assert.ok(seen.length > 0 && seen[seen.length - 1] === readFileSync(path.join(dir, "model.safetensors")).length);
    await assert.rejects(loadModelFrom(httpSource(`${base}/nothing-here`)), /cannot read model config http:\/\/127\.0\.0\.1:\d+\/bundle\/nothing-here\/config\.json: HTTP 404/);
    viaHttp.dispose();
    viaDir.dispose();
  } finally {
    model.dispose();
    server.close();
  }
});
