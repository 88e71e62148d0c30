/** --source-weights: parsing, the weighted epoch, exact resume, and a recorded change of mix. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import _ from "lodash";
import { initBackend, Rng, writeTokenDataset, type TokenDatasetMeta } from "@isc/core";
import { parseArgs } from "../src/args.js";
import { DataCursor } from "../src/data-cursor.js";
import { train } from "../src/run.js";
import { parseSourceWeights, rowWeights } from "../src/source-weights.js";

const dir = mkdtempSync(path.join(tmpdir(), "isc-weights-"));
const W = 21; // TINY_ATTN_2L: n_ctx 20
const BEGIN = 49;
const ROWS = 40;
// Rows 0–9 are "prose" (natural), 10–39 "dict" (technical), interleaved as a shuffled corpus would be.
const codes = _.range(ROWS).map((r) => (r % 4 === 0 ? "a" : "b")).join("");
const sourceMeta = { row_source: codes, row_source_legend: { a: "prose", b: "dict" }, row_source_register: { prose: "natural", dict: "technical" } };
const trainPath = path.join(dir, "train.u16");
const plainPath = path.join(dir, "plain.u16");

before(async () => {
  process.env.SCRUB_QUIET = "1";
  await initBackend({ quiet: true });
  const r = new Rng(3);
  // Each row holds its own index at position 1, so a batch says which rows it drew.
  const t = new Uint16Array(ROWS * W).map((_, i) => (i % W === 0 ? BEGIN : i % W === 1 ? Math.floor(i / W) : r.int(BEGIN)));
  writeTokenDataset(trainPath, t, { width: W, vocab: 50, begin_id: BEGIN, source: "test", ...sourceMeta });
  writeTokenDataset(plainPath, t, { width: W, vocab: 50, begin_id: BEGIN, source: "test" });
});

after(() => rmSync(dir, { recursive: true, force: true }));

const meta = (rows = ROWS) => ({ rows, width: W, dtype: "uint16", vocab: 50, begin_id: BEGIN, source: "t", sha256: "", ...sourceMeta }) as TokenDatasetMeta;

test("parsing: names and registers with weights ≥ 0; all-ones is no weighting; bad specs are refused", () => {
  assert.deepEqual(parseSourceWeights("natural=4, gcide=0.5"), { gcide: 0.5, natural: 4 });
  assert.equal(parseSourceWeights("natural=1"), undefined);
  assert.deepEqual(parseArgs(["--source-weights", "none"]).sourceWeights, null);
  for (const bad of ["natural", "natural=-1", "natural=x", "=2", "a=1,a=2"]) assert.throws(() => parseSourceWeights(bad), /--source-weights/);
});

test("row weights: a source's own weight beats its register's; unknown names and unlabelled data are refused", () => {
  const w = rowWeights(meta(), ROWS, { natural: 3, dict: 0.5 });
  assert.deepEqual([w[0], w[1], w[4]], [3, 0.5, 3]);
  assert.deepEqual(rowWeights(meta(), ROWS, { natural: 3, prose: 2 })[0], 2);
  assert.throws(() => rowWeights(meta(), ROWS, { gcide: 2 }), /"gcide" is neither a source nor a register of this data \(dict, natural, prose, technical\)/);
  assert.throws(() => rowWeights({ ...meta(), row_source: undefined }, ROWS, { natural: 2 }), /rebuild it with `pnpm build-corpus`/);
  assert.throws(() => rowWeights(meta(), ROWS, { natural: 0, technical: 0 }), /leaves no rows/);
});

test("a weighted epoch holds each row ⌊w⌋ times plus once with probability w − ⌊w⌋, and resumes exactly", () => {
  const tokens = new Uint16Array(ROWS * 3).map((_, i) => Math.floor(i / 3));
  const resolve = (w: Record<string, number>) => rowWeights(meta(), ROWS, w);
  const c = DataCursor.start(tokens, ROWS, 3, 2, 9, { natural: 2, dict: 0.5 }, resolve);
  const n = c.epochRows;
  const seen = Array.from(c.next(n)).filter((_, i) => i % 2 === 0);
  const count = (r: number) => seen.filter((x) => x === r).length;
  for (let r = 0; r < ROWS; r += 4) assert.equal(count(r), 2, `prose row ${r} twice`);
  const dictCounts = _.range(ROWS).filter((r) => r % 4 !== 0).map(count);
  assert.ok(dictCounts.every((k) => k === 0 || k === 1));
  const kept = dictCounts.filter((k) => k === 1).length;
  assert.ok(kept > 5 && kept < 25, `about half of the 30 dict rows (${kept})`);
  c.next(5);
  const saved = c.state;
  assert.deepEqual(saved.sources, { dict: 0.5, natural: 2 });
  const rest = Array.from(c.next(n + 3));
  assert.deepEqual(Array.from(DataCursor.resume(tokens, ROWS, 3, 2, saved, resolve).next(n + 3)), rest);
  assert.throws(() => DataCursor.resume(tokens, ROWS, 3, 2, saved), /does not name each row's source/);
  // Unweighted, the order is the one the cursor always drew.
  const plain = DataCursor.start(tokens, ROWS, 3, 2, 9);
  const before = DataCursor.start(tokens, ROWS, 3, 2, 9, undefined, resolve);
  assert.deepEqual(Array.from(before.next(50)), Array.from(plain.next(50)));
  assert.equal(before.reweight({ natural: 1 }), false, "all-ones is no change");
  assert.equal(before.reweight({ technical: 0 }), true);
  assert.deepEqual(new Set(Array.from(before.next(30)).filter((_, i) => i % 2 === 0).map((r) => r % 4)), new Set([0]));
});

const run = (out: string, data: string, ...extra: string[]) =>
  train(
    parseArgs([
      "--config", "tiny", "--data", data, "--eval", "none", "--out", path.join(dir, out),
      "--batch", "4", "--warmup", "3", "--lr", "0.01", "--seed", "5", "--ckpt-every", "4", "--eval-every", "0", ...extra,
    ]),
  );
const ckptBytes = (out: string) =>
  ["params.safetensors", "adam_m.safetensors", "adam_v.safetensors"].map((f) => readFileSync(path.join(dir, out, "ckpt", f)));
const state = (out: string) => JSON.parse(readFileSync(path.join(dir, out, "ckpt/state.json"), "utf8"));

test("a run records its weights, changes them only with --change-mix, and a change resumes exactly", async () => {
  await run("w", trainPath, "--steps", "12", "--source-weights", "natural=3", "--stop-at", "4");
  assert.deepEqual(state("w").hyper.sourceWeights, { natural: 3 });
  await assert.rejects(run("w", trainPath, "--steps", "12", "--source-weights", "natural=2"), /--source-weights .* contradicts the checkpoint/);
  await run("w", trainPath, "--steps", "12", "--source-weights", "technical=0", "--change-mix", "--stop-at", "8");
  const s = state("w");
  assert.deepEqual(s.hyper.sourceWeightChanges, [{ step: 4, weights: { technical: 0 } }]);
  assert.deepEqual(s.cursor.sources, { technical: 0 });
  await run("w", trainPath, "--steps", "12");
  // The same schedule in one go, changing at step 4 from a checkpoint there too.
  await run("w2", trainPath, "--steps", "12", "--source-weights", "natural=3", "--stop-at", "4");
  await run("w2", trainPath, "--steps", "12", "--source-weights", "technical=0", "--change-mix");
  assert.deepEqual(ckptBytes("w2"), ckptBytes("w"), "a change of source weights resumes exactly");
  await assert.rejects(run("plain", plainPath, "--steps", "4", "--source-weights", "natural=2"), /rebuild it with `pnpm build-corpus`/);
  await assert.rejects(run("bad", trainPath, "--steps", "4", "--source-weights", "gcide=2"), /"gcide" is neither a source nor a register/);
});
