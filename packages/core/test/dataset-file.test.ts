import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTokenDataset, rowSourceNames, sidecarPath, writeTokenDataset } from "../src/dataset-file.js";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "dataset-file-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rows(n: number, width: number, begin: number, vocab: number): Uint16Array {
  const t = new Uint16Array(n * width);
  for (let r = 0; r < n; r++) {
    t[r * width] = begin;
    for (let c = 1; c < width; c++) t[r * width + c] = (r * 7919 + c * 104729) % (vocab - 1);
  }
  return t;
}

test("round trip keeps tokens, shape, meta and extra fields; bytes are little-endian", () => {
  withDir((dir) => {
    const path = join(dir, "eval.u16");
    const tokens = rows(5, 301, 8192, 8193);
    const meta = writeTokenDataset(path, tokens, { width: 301, vocab: 8193, begin_id: 8192, source: "test", seed: 7 });
    assert.equal(meta.rows, 5);
    assert.equal(meta.dtype, "uint16");
    const side = JSON.parse(readFileSync(sidecarPath(path), "utf8"));
    assert.deepEqual(Object.keys(side).slice(0, 7), ["rows", "width", "dtype", "vocab", "begin_id", "source", "sha256"]);
    assert.equal(side.seed, 7);
    const raw = readFileSync(path);
    assert.equal(raw.length, 5 * 301 * 2);
    assert.equal(raw[0] | (raw[1] << 8), 8192);
    for (const p of [path, join(dir, "eval.json")]) {
      const ds = readTokenDataset(p);
      assert.equal(ds.rows, 5);
      assert.equal(ds.width, 301);
      assert.deepEqual(ds.tokens, tokens);
      assert.equal(ds.meta.sha256, meta.sha256);
      assert.equal(ds.meta.seed, 7);
    }
  });
});

test("uint32 is used for a vocabulary beyond uint16", () => {
  withDir((dir) => {
    const path = join(dir, "big.u32");
    const tokens = Uint32Array.from([70000, 1, 2, 70000, 69999, 3]);
    const meta = writeTokenDataset(path, tokens, { width: 3, vocab: 70001, begin_id: 70000, source: "test" });
    assert.equal(meta.dtype, "uint32");
    assert.deepEqual(readTokenDataset(join(dir, "big.json")).tokens, tokens);
    assert.throws(() => writeTokenDataset(join(dir, "bad.u16"), Uint16Array.from([1, 2]), { width: 2, vocab: 70001, begin_id: null, source: "x", dtype: "uint16" }), /does not fit uint16/);
  });
});

test("a truncated data file is reported with the expected size", () => {
  withDir((dir) => {
    const path = join(dir, "d.u16");
    writeTokenDataset(path, rows(3, 301, 8192, 8193), { width: 301, vocab: 8193, begin_id: 8192, source: "t" });
    truncateSync(path, 3 * 301 * 2 - 10);
    assert.throws(() => readTokenDataset(path), /1796 bytes but the sidecar says 3 rows × 301 × 2 B = 1806 B/);
  });
});

test("a changed data file fails the sha256 check", () => {
  withDir((dir) => {
    const path = join(dir, "d.u16");
    writeTokenDataset(path, rows(3, 301, 8192, 8193), { width: 301, vocab: 8193, begin_id: 8192, source: "t" });
    const raw = readFileSync(path);
    raw[100] ^= 1;
    writeFileSync(path, raw);
    assert.throws(() => readTokenDataset(path), /sha256 mismatch/);
  });
});

test("tokens >= vocab, rows not starting with begin_id and ragged rows are rejected", () => {
  withDir((dir) => {
    const path = join(dir, "d.u16");
    const bad = rows(2, 301, 8192, 8193);
    bad[301 + 5] = 8193;
    assert.throws(() => writeTokenDataset(path, bad, { width: 301, vocab: 8193, begin_id: 8192, source: "t" }), /token 8193 at row 1, column 5 is >= vocab 8193/);
    const noBegin = rows(2, 301, 8192, 8193);
    noBegin[301] = 5;
    assert.throws(() => writeTokenDataset(path, noBegin, { width: 301, vocab: 8193, begin_id: 8192, source: "t" }), /row 1 starts with 5/);
    assert.throws(() => writeTokenDataset(path, new Uint16Array(300), { width: 301, vocab: 8193, begin_id: null, source: "t" }), /not a whole number of rows/);

    // A file whose sidecar claims a smaller vocab than its contents (hand-edited or mixed-up) fails on read.
    writeTokenDataset(path, rows(2, 301, 8192, 8193), { width: 301, vocab: 8193, begin_id: 8192, source: "t" });
    const side = JSON.parse(readFileSync(sidecarPath(path), "utf8"));
    writeFileSync(sidecarPath(path), JSON.stringify({ ...side, vocab: 8000 }));
    assert.throws(() => readTokenDataset(path), />= vocab 8000/);
    writeFileSync(sidecarPath(path), JSON.stringify({ ...side, width: 300 }));
    assert.throws(() => readTokenDataset(path), /bytes but the sidecar says/);
  });
});

test("row sources come from the sidecar (build-corpus's row_source); none when it names none", () => {
  withDir((dir) => {
    const path = join(dir, "d.u16");
    const legend = { a: "prose", b: "dict" };
    writeTokenDataset(path, new Uint16Array(12), { width: 3, vocab: 9, begin_id: null, source: "t", row_source: "aabb", row_source_legend: legend, row_source_register: { prose: "natural" } });
    const { meta } = readTokenDataset(path);
    assert.deepEqual(rowSourceNames(meta, 3), { names: ["prose", "prose", "dict"], register: { prose: "natural" } });
    assert.equal(rowSourceNames(meta, 5), null, "more rows than it names");
    assert.equal(rowSourceNames({ ...meta, row_source: undefined }, 3), null);
  });
});
