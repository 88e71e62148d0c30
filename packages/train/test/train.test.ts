/** The trainer on the tiny config with synthetic rows: determinism, exact resume, and its parts. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import _ from "lodash";
import { initBackend, initParams, readSafetensors, Rng, sinusoidalPositions, tf, TINY_ATTN_2L, writeTokenDataset } from "@isc/core";
import { Adam } from "../src/adam.js";
import { parseArgs } from "../src/args.js";
import { clipByGlobalNorm } from "../src/clip.js";
import { DataCursor } from "../src/data-cursor.js";
import { installFastMaxGrad, restoreMaxGrad } from "../src/fast-max-grad.js";
import { applyRepeatSpans, describeSpans, repeatSpans } from "../src/repeat-spans.js";
import { train } from "../src/run.js";
import { lrAt } from "../src/schedule.js";

const dir = mkdtempSync(path.join(tmpdir(), "isc-train-"));
const W = 21; // TINY_ATTN_2L: n_ctx 20
const VOCAB = 50;
const BEGIN = 49;

/** Rows with repeated chunks, so there is something in-context to learn. */
function synthetic(rows: number, seed: number): Uint16Array {
  const r = new Rng(seed);
  const t = new Uint16Array(rows * W);
  for (let i = 0; i < rows; i++) {
    t[i * W] = BEGIN;
    const chunk = _.times(5, () => r.int(BEGIN));
    for (let c = 1; c < W; c++) t[i * W + c] = r.float() < 0.5 ? chunk[c % 5] : r.int(BEGIN);
  }
  return t;
}

const trainPath = path.join(dir, "train.u16");
const evalPath = path.join(dir, "eval.u16");

before(async () => {
  process.env.SCRUB_QUIET = "1";
  await initBackend({ quiet: true });
  writeTokenDataset(trainPath, synthetic(37, 1), { width: W, vocab: VOCAB, begin_id: BEGIN, source: "test" });
  writeTokenDataset(evalPath, synthetic(6, 2), { width: W, vocab: VOCAB, begin_id: BEGIN, source: "test" });
});

after(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, ...extra: string[]) =>
  train(
    parseArgs([
      "--config", "tiny", "--data", trainPath, "--eval", evalPath, "--out", path.join(dir, out),
      "--batch", "4", "--warmup", "3", "--lr", "0.01", "--seed", "5", "--ckpt-every", "4", "--eval-every", "0", ...extra,
    ]),
  );

const ckptBytes = (out: string) =>
  ["params.safetensors", "adam_m.safetensors", "adam_v.safetensors"].map((f) => readFileSync(path.join(dir, out, "ckpt", f)));

test("same seed and steps give bit-identical parameters and moments; tensors do not leak", async () => {
  const n0 = tf.memory().numTensors;
  const a = await run("a", "--steps", "10");
  assert.equal(tf.memory().numTensors, n0, "train() leaked tensors");
  const b = await run("b", "--steps", "10");
  assert.equal(a.reason, "done");
  assert.equal(b.reason, "done");
  assert.equal(a.step, 10);
  assert.ok(a.lastLoss !== null && Number.isFinite(a.lastLoss));
  const [pa, pb] = [ckptBytes("a"), ckptBytes("b")];
  for (let i = 0; i < 3; i++) assert.ok(pa[i].equals(pb[i]), `checkpoint file ${i} differs`);
  assert.ok(readFileSync(path.join(dir, "a/final/model.safetensors")).equals(readFileSync(path.join(dir, "b/final/model.safetensors"))));
  const c = await run("c", "--steps", "10", "--seed", "6");
  assert.equal(c.step, 10);
  assert.ok(!ckptBytes("c")[0].equals(pa[0]), "another seed should give other weights");
});

test("N steps + resume + N steps equals 2N steps exactly (across an epoch boundary)", async () => {
  // 37 rows / 4 per step: epoch 1 starts inside step 10.
  const whole = await run("whole", "--steps", "12");
  const first = await run("split", "--steps", "12", "--stop-at", "6");
  assert.equal(first.reason, "stop-at");
  assert.equal(first.step, 6);
  const state6 = JSON.parse(readFileSync(path.join(dir, "split/ckpt/state.json"), "utf8"));
  assert.equal(state6.step, 6);
  assert.equal(state6.tokensSeen, 6 * 4 * 20);
  const second = await run("split", "--steps", "12");
  assert.equal(second.step, 12);
  assert.equal(whole.lastLoss, second.lastLoss);
  const [w, s] = [ckptBytes("whole"), ckptBytes("split")];
  for (let i = 0; i < 3; i++) assert.ok(w[i].equals(s[i]), `checkpoint file ${i} differs after resume`);
  const state = JSON.parse(readFileSync(path.join(dir, "split/ckpt/state.json"), "utf8"));
  assert.equal(state.cursor.epoch, 1);
  const steps = readFileSync(path.join(dir, "split/log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === "train")
    .map((r) => r.step);
  assert.deepEqual(steps, _.range(1, 13), "the log reads as one run");
});

test("contradicting flags and --no-resume on an existing run are refused", async () => {
  await assert.rejects(run("split", "--steps", "12", "--lr", "0.02"), /--lr 0\.02 contradicts the checkpoint/);
  await assert.rejects(run("split", "--steps", "12", "--no-resume"), /already has a checkpoint/);
  await assert.rejects(run("nothing", "--resume"), /has no checkpoint/);
});

test("eval records carry the head scores; a resumed run logs the eval it missed", async () => {
  const r = await run("evals", "--steps", "6", "--eval-every", "3");
  assert.equal(r.step, 6);
  const evals = readFileSync(path.join(dir, "evals/log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((x) => x.type === "eval");
  assert.deepEqual(evals.map((e) => e.step), [0, 3, 6]);
  for (const e of evals) {
    assert.equal(e.prev_token_l0.length, 2);
    assert.equal(e.induction_last.length, 2);
    assert.ok(e.heldout_loss > 0 && e.rep_loss_second > 0 && e.rep_loss_first > 0);
    assert.equal(e.icl_score, null, "20-position rows have no ICL window");
    for (const s of [...e.prev_token_l0, ...e.induction_last]) assert.ok(s >= 0 && s <= 1);
  }
  // A session that stopped at a checkpoint without its eval: the next one evaluates that step first.
  await run("evals2", "--steps", "6", "--stop-at", "3");
  await run("evals2", "--steps", "6", "--eval-every", "3");
  const later = readFileSync(path.join(dir, "evals2/log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((x) => x.type === "eval");
  assert.deepEqual(later.map((e) => e.step), [3, 6]);
  // Without a held-out set the record still has the repeated-token scores.
  await run("noeval", "--steps", "2", "--eval-every", "2", "--eval", "none");
  const bare = readFileSync(path.join(dir, "noeval/log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((x) => x.type === "eval");
  assert.deepEqual(bare.map((e) => [e.step, e.heldout_loss, e.prev_token_l0.length, e.induction_last.length]), [[0, null, 0, 2], [2, null, 0, 2]]);
});

test("schedule: linear warm-up to the peak, cosine to 10% at the last step", () => {
  const s = { peak: 1e-3, warmup: 10, total: 110, minFrac: 0.1 };
  assert.equal(lrAt(0, s), 1e-4);
  assert.equal(lrAt(9, s), 1e-3);
  assert.equal(lrAt(10, s), 1e-3);
  assert.ok(Math.abs(lrAt(60, s) - 0.55e-3) < 1e-12);
  assert.ok(Math.abs(lrAt(110, s) - 1e-4) < 1e-12);
  assert.ok(Math.abs(lrAt(500, s) - 1e-4) < 1e-12);
});

test("Adam matches the formula; clipping rescales to the max norm", async () => {
  const p = { w: tf.tensor1d([1, -2]) };
  const adam = Adam.zeros({ beta1: 0.9, beta2: 0.99, eps: 1e-8 }, p);
  let params = adam.apply(p, { w: tf.tensor1d([0.5, -0.1]) }, 0.1);
  // First step: m_hat = g, v_hat = g², so each weight moves by lr·sign(g).
  assert.deepEqual(Array.from(await params.w.data()).map((x) => +x.toFixed(6)), [0.9, -1.9]);
  params = adam.apply(params, { w: tf.tensor1d([0.5, 0.3]) }, 0.1);
  const m = [0.9 * 0.05 + 0.05, 0.9 * -0.01 + 0.03];
  const v = [0.99 * 0.0025 + 0.0025, 0.99 * 0.0001 + 0.01 * 0.09];
  const expect = [0.9, -1.9].map((x, i) => x - (0.1 * (m[i] / (1 - 0.81))) / (Math.sqrt(v[i] / (1 - 0.99 ** 2)) + 1e-8));
  const got = await params.w.data();
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i] - expect[i]) < 1e-6, `${got[i]} vs ${expect[i]}`);
  params.w.dispose();
  adam.dispose();
  const { grads, norm } = await clipByGlobalNorm({ a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) }, 1);
  assert.ok(Math.abs(norm - 5) < 1e-6);
  assert.deepEqual(Array.from(await grads.a.data()).map((x) => +x.toFixed(6)), [0.6, 0]);
  for (const g of Object.values(grads)) g.dispose();
});

test("data cursor: each epoch is a permutation; a saved cursor continues the same sequence", () => {
  const rows = 7;
  const tokens = new Uint16Array(rows * 3).map((_, i) => Math.floor(i / 3));
  const c = DataCursor.start(tokens, rows, 3, 2, 9);
  const firstEpoch = Array.from(c.next(7)).filter((_, i) => i % 2 === 0);
  assert.deepEqual([...firstEpoch].sort(), [0, 1, 2, 3, 4, 5, 6]);
  c.next(3);
  const saved = c.state;
  const rest = Array.from(c.next(9));
  const again = DataCursor.resume(tokens, rows, 3, 2, saved);
  assert.deepEqual(Array.from(again.next(9)), rest);
  assert.equal(again.epoch, 2);
});

test("the fast Max gradient is bit-identical to tfjs' own", async () => {
  const x = tf.tensor2d([3, 1, 3, -2, 0.5, 7, 7, 1, -1, -1, -1, -1], [3, 4]);
  const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.logSumExp(t, 1), tf.tensor1d([1, 2, 3])));
  restoreMaxGrad();
  const g1 = tf.grad(f)(x);
  const slow = await g1.data();
  installFastMaxGrad();
  const g2 = tf.grad(f)(x);
  assert.deepEqual(Array.from(await g2.data()), Array.from(slow));
  const m = tf.grad((t: tf.Tensor) => tf.sum(tf.max(t, 0)))(x);
  assert.deepEqual(Array.from(await m.data()), [1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
  for (const t of [x, g1, g2, m]) t.dispose();
});

test("repeated spans: a copy of an earlier span of the same row, drawn from (seed, step) alone", () => {
  const width = 301;
  const batch = 64;
  const rng = new Rng(4);
  const original = Int32Array.from({ length: batch * width }, () => rng.int(8192));
  const spec = repeatSpans(0.5);
  const draw = (seed: number, step: number) => {
    const rows = original.slice();
    return { rows, changed: applyRepeatSpans(rows, batch, width, spec, seed, step) };
  };
  const a = draw(0, 7);
  assert.deepEqual(draw(0, 7).rows, a.rows, "same seed and step, same rows");
  assert.notDeepEqual(draw(0, 8).rows, a.rows);
  assert.notDeepEqual(draw(1, 7).rows, a.rows);
  assert.ok(a.changed > 16 && a.changed < 48, `${a.changed} of ${batch} rows at frac 0.5`);
  let seen = 0;
  for (let b = 0; b < batch; b++) {
    const before = original.subarray(b * width, (b + 1) * width);
    const after = a.rows.subarray(b * width, (b + 1) * width);
    const diff = [...after.keys()].filter((i) => after[i] !== before[i]);
    if (diff.length === 0) continue;
    seen++;
    assert.ok(diff[0] > 0, "[BEGIN] is never overwritten");
    // The written range [dst, dst + len) equals the original [src, src + len) for some src <= dst - len.
    const dst = diff[0];
    const len = diff[diff.length - 1] - dst + 1;
    assert.ok(len <= spec.maxLen);
    const found = _.range(Math.max(0, dst - len + 1)).some((src) => src >= 1 && _.range(len).every((i) => after[dst + i] === before[src + i]));
    assert.ok(found, `row ${b}: the written span is not a copy of an earlier one`);
  }
  assert.equal(seen, a.changed);
  const none = original.slice();
  assert.equal(applyRepeatSpans(none, batch, width, repeatSpans(0), 0, 7), 0);
  assert.deepEqual(none, original);
});

test("sinusoidal positions start W_pos at the sin/cos table; the choice and the span share are part of the run", async () => {
  const table = sinusoidalPositions(4, 6);
  assert.deepEqual(Array.from(table.subarray(0, 6)), [0, 1, 0, 1, 0, 1]);
  assert.ok(Math.abs(table[6] - Math.sin(1)) < 1e-7 && Math.abs(table[6 + 2] - Math.sin(Math.pow(10000, -2 / 6))) < 1e-7);
  const p = initParams(TINY_ATTN_2L, 0, { positions: "sinusoidal" });
  assert.deepEqual(Array.from(p["pos_embed.W_pos"].dataSync()), Array.from(sinusoidalPositions(TINY_ATTN_2L.n_ctx, TINY_ATTN_2L.d_model)));
  tf.dispose(Object.values(p));
  // Interrupted and resumed equals uninterrupted, with both options on.
  await run("sin-whole", "--steps", "8", "--pos-init", "sinusoidal", "--repeat-frac", "0.5");
  await run("sin-split", "--steps", "8", "--pos-init", "sinusoidal", "--repeat-frac", "0.5", "--stop-at", "4");
  await run("sin-split", "--steps", "8");
  assert.deepEqual(ckptBytes("sin-split"), ckptBytes("sin-whole"));
  await run("plain8", "--steps", "8");
  assert.notDeepEqual(ckptBytes("sin-whole")[0], ckptBytes("plain8")[0], "the options change the run");
  await assert.rejects(run("sin-split", "--steps", "9", "--repeat-frac", "0.1"), /--repeat-frac 0\.1 contradicts the checkpoint/);
  await assert.rejects(run("sin-split", "--steps", "9", "--pos-init", "normal"), /--pos-init "normal" contradicts the checkpoint/);
  assert.throws(() => parseArgs(["--pos-init", "learned"]), /--pos-init must be normal or sinusoidal/);
  assert.throws(() => parseArgs(["--repeat-frac", "1.5"]), /--repeat-frac must be in \[0, 1\]/);
});

test("random repeated spans: fresh ids written once and repeated; a run may change its mix at a recorded step", async () => {
  const width = 101;
  const rows = new Int32Array(16 * width).fill(7);
  const changed = applyRepeatSpans(rows, 16, width, repeatSpans(1, "random"), 3, 0, 40);
  assert.equal(changed, 16);
  for (let b = 0; b < 16; b++) {
    const row = rows.subarray(b * width, (b + 1) * width);
    const written = [...row.keys()].filter((i) => row[i] !== 7);
    assert.ok(written.length > 0 && row[0] === 7);
    assert.ok(row.every((t) => t >= 0 && t < 40 || t === 7));
  }
  assert.throws(() => applyRepeatSpans(rows, 16, width, repeatSpans(1, "random"), 3, 0), /need the number of ids/);
  // Changing the mix needs --change-mix; with it the change is recorded and a resume replays it.
  await run("mix", "--steps", "8", "--repeat-frac", "0.5", "--stop-at", "4");
  await assert.rejects(run("mix", "--steps", "8", "--repeat-kind", "random"), /--repeat-kind "random" contradicts the checkpoint/);
  await run("mix", "--steps", "8", "--repeat-kind", "random", "--change-mix");
  const state = JSON.parse(readFileSync(path.join(dir, "mix/ckpt/state.json"), "utf8"));
  assert.deepEqual(state.hyper.repeatChanges, [{ step: 4, repeat: repeatSpans(0.5, "random") }]);
  await run("mix-split", "--steps", "8", "--repeat-frac", "0.5", "--stop-at", "4");
  await run("mix-split", "--steps", "8", "--repeat-kind", "random", "--change-mix", "--stop-at", "6");
  await run("mix-split", "--steps", "8");
  assert.deepEqual(ckptBytes("mix-split"), ckptBytes("mix"), "a change of mix resumes exactly");
  assert.throws(() => parseArgs(["--repeat-kind", "shuffled"]), /--repeat-kind must be copy, random or mixed/);
});

test("mixed repeated spans: each span is random ids or copied text, with even odds", () => {
  const width = 101;
  const rows = new Int32Array(64 * width).fill(7);
  assert.equal(applyRepeatSpans(rows, 64, width, repeatSpans(1, "mixed"), 3, 0, 40), 64);
  // A copy of a constant row leaves it constant; random ids (from [0, 40), 7 excluded by chance only) do not.
  const randomRows = _.range(64).filter((b) => rows.subarray(b * width, (b + 1) * width).some((t) => t !== 7)).length;
  assert.ok(randomRows > 16 && randomRows < 48, `${randomRows} of 64 rows got random ids`);
  assert.equal(describeSpans(repeatSpans(0.5, "mixed")), "50% of rows with a repeated random-token or copied-text span of 16–96 tokens");
});

test("--repeat-adjacent: that share of copies starts right where its original ends; 0 keeps the old draws", () => {
  const width = 301;
  const batch = 64;
  const unique = Int32Array.from({ length: batch * width }, (_, i) => i % width); // every position its own id
  /** Row b's written range [dst, dst + len), and whether it copies [dst − len, dst). */
  const written = (rows: Int32Array, b: number) => {
    const after = rows.subarray(b * width, (b + 1) * width);
    const diff = [...after.keys()].filter((i) => after[i] !== i);
    const [dst, len] = [diff[0], diff[diff.length - 1] - diff[0] + 1];
    return { dst, len, adjacent: _.range(len).every((i) => after[dst + i] === dst - len + i) };
  };
  const all = unique.slice();
  assert.equal(applyRepeatSpans(all, batch, width, repeatSpans(1, "copy", [16, 96], 1), 0, 3), batch);
  for (let b = 0; b < batch; b++) assert.ok(written(all, b).adjacent, `row ${b}: ${JSON.stringify(written(all, b))}`);
  const half = unique.slice();
  applyRepeatSpans(half, batch, width, repeatSpans(1, "copy", [16, 96], 0.5), 0, 3);
  const adjacentRows = _.range(batch).filter((b) => written(half, b).adjacent).length;
  assert.ok(adjacentRows > 16 && adjacentRows < 48, `${adjacentRows} of ${batch} copies adjacent at 0.5`);
  assert.deepEqual(repeatSpans(0.5, "random", [16, 96], 0), { frac: 0.5, minLen: 16, maxLen: 96, kind: "random" }, "the field is absent at 0, as in older checkpoints");
  const [old, zero] = [unique.slice(), unique.slice()];
  applyRepeatSpans(old, batch, width, { frac: 0.7, minLen: 16, maxLen: 96 }, 2, 9);
  applyRepeatSpans(zero, batch, width, repeatSpans(0.7, "copy", [16, 96], 0), 2, 9);
  assert.deepEqual(zero, old);
  assert.throws(() => parseArgs(["--repeat-adjacent", "2"]), /--repeat-adjacent must be in \[0, 1\]/);
});

test("--repeat-len sets the span lengths, is recorded, and changes only with --change-mix", async () => {
  const width = 101;
  const rows = new Int32Array(32 * width).fill(7);
  applyRepeatSpans(rows, 32, width, repeatSpans(1, "random", [40, 50]), 5, 0, 3);
  for (let b = 0; b < 32; b++) {
    // Ids come from [0, 3), so every written token differs from the fill: a span and its copy.
    const written = rows.subarray(b * width, (b + 1) * width).filter((t) => t !== 7).length;
    assert.ok(written >= 80 && written <= 100 && written % 2 === 0, `row ${b}: ${written} tokens written`);
  }
  await run("len", "--steps", "6", "--repeat-frac", "0.5", "--repeat-len", "3-4", "--stop-at", "3");
  let state = JSON.parse(readFileSync(path.join(dir, "len/ckpt/state.json"), "utf8"));
  assert.deepEqual(state.hyper.repeat, { frac: 0.5, minLen: 3, maxLen: 4 });
  await assert.rejects(run("len", "--steps", "6", "--repeat-len", "5-6"), /--repeat-len "5-6" contradicts the checkpoint/);
  await run("len", "--steps", "6", "--repeat-len", "5-6", "--change-mix");
  state = JSON.parse(readFileSync(path.join(dir, "len/ckpt/state.json"), "utf8"));
  assert.deepEqual(state.hyper.repeatChanges, [{ step: 3, repeat: repeatSpans(0.5, "copy", [5, 6]) }]);
  for (const bad of ["5", "1-4", "9-3", "a-b"]) assert.throws(() => parseArgs(["--repeat-len", bad]), /--repeat-len must be MIN-MAX/);
});

test("--change-lr sets a new peak from the checkpoint's step and records it; without it --lr still clashes", async () => {
  await run("lr", "--steps", "6", "--stop-at", "3");
  await assert.rejects(run("lr", "--steps", "6", "--lr", "0.02"), /--lr 0\.02 contradicts the checkpoint/);
  await run("lr", "--steps", "6", "--lr", "0.02", "--change-lr");
  const state = JSON.parse(readFileSync(path.join(dir, "lr/ckpt/state.json"), "utf8"));
  assert.equal(state.hyper.lr, 0.02);
  assert.deepEqual(state.hyper.lrChanges, [{ step: 3, from: 0.01, to: 0.02 }]);
  const lrs = readFileSync(path.join(dir, "lr/log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "train");
  assert.ok(lrs.find((r) => r.step === 4).lr > lrs.find((r) => r.step === 3).lr * 1.5, "the peak doubled from step 3 on");
});

test("--ema: ema = d·ema + (1 − d)·p from the step it starts, resumes exactly, is evaluated and is what final/ holds", async () => {
  const tensors = (file: string) => readSafetensors(readFileSync(path.join(dir, file)), file);
  await run("ema", "--steps", "5", "--stop-at", "4");
  const p4 = tensors("ema/ckpt/params.safetensors");
  await run("ema", "--steps", "5", "--ema", "0.75", "--eval-every", "5");
  const state = JSON.parse(readFileSync(path.join(dir, "ema/ckpt/state.json"), "utf8"));
  assert.deepEqual(state.hyper.ema, { decay: 0.75, from: 4 });
  const p5 = tensors("ema/ckpt/params.safetensors");
  const e5 = tensors("ema/ckpt/ema.safetensors");
  const final = tensors("ema/final/model.safetensors");
  assert.equal(e5.size, p5.size);
  for (const [name, e] of e5) {
    const [a, b] = [p4.get(name)!.data, p5.get(name)!.data];
    for (let i = 0; i < e.data.length; i++) assert.ok(Math.abs(e.data[i] - (0.75 * a[i] + 0.25 * b[i])) <= 1e-6 * (1 + Math.abs(a[i])), `${name}[${i}]`);
  }
  const [name, moved] = [...p5].find(([n, p]) => p.data.some((x, i) => x !== p4.get(n)!.data[i]))!;
  assert.notDeepEqual(e5.get(name)!.data, moved.data, "the average differs from the weights");
  assert.deepEqual([...final.values()].map((t) => t.data.length).sort(), [...e5.values()].map((t) => t.data.length).sort());
  assert.ok([...final.values()].some((t) => t.data.length === e5.get(name)!.data.length && t.data.every((x, i) => x === e5.get(name)!.data[i])), "final/ holds the average");
  const evals = readFileSync(path.join(dir, "ema/log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.step === 5);
  assert.deepEqual(evals.map((r) => r.type).filter((t) => t.startsWith("eval")), ["eval", "eval_ema"]);
  await assert.rejects(run("ema", "--steps", "6", "--ema", "0.5"), /--ema 0\.5 contradicts the checkpoint/);

  await run("emaA", "--steps", "8", "--ema", "0.9");
  await run("emaB", "--steps", "8", "--ema", "0.9", "--stop-at", "3");
  await run("emaB", "--steps", "8");
  assert.deepEqual(readFileSync(path.join(dir, "emaB/ckpt/ema.safetensors")), readFileSync(path.join(dir, "emaA/ckpt/ema.safetensors")));
  assert.throws(() => parseArgs(["--ema", "1"]), /--ema must be in \[0, 1\)/);
  rmSync(path.join(dir, "emaB/ckpt/ema.safetensors"));
  await assert.rejects(run("emaB", "--steps", "9"), /ema\.safetensors is missing/);
});
