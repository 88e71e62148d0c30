/** The bootstrap interval of % loss recovered, on hand-made losses. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "@isc/core";
import { bootstrapRecovered, categoryStandardErrors, formatRecoveredTable, lossRecovered, lossTable, recoveredComparison, TABLE_CATEGORIES } from "../src/index.js";

const N = 40;
const T = 5;
const rng = new Rng(3);
const noisy = (level: number) => Float32Array.from({ length: N * T }, () => level + rng.normal());
const overallOnly = [TABLE_CATEGORIES[0]!];

test("a scrub that changes nothing recovers exactly 1, one that matches the baseline exactly 0", () => {
  const unscrubbed = noisy(2);
  const baseline = noisy(4);
  const one = bootstrapRecovered({ unscrubbed, baseline, exp: unscrubbed }, {}, T, { categories: overallOnly, reps: 200 });
  assert.deepEqual([one.lo[0], one.hi[0], one.gapUnclear[0]], [1, 1, false]);
  const zero = bootstrapRecovered({ unscrubbed, baseline, exp: baseline }, {}, T, { categories: overallOnly, reps: 200 });
  assert.deepEqual([zero.lo[0], zero.hi[0]], [0, 0]);
});

test("the interval holds the estimate, is the same for the same seed, and narrows with more rows", () => {
  const [u, b, e] = [noisy(2), noisy(4), noisy(3)];
  const point = lossRecovered(lossTable(u, {}, overallOnly), lossTable(b, {}, overallOnly), lossTable(e, {}, overallOnly))[0]!;
  const iv = bootstrapRecovered({ unscrubbed: u, baseline: b, exp: e }, {}, T, { categories: overallOnly });
  assert.ok(iv.lo[0]! < point && point < iv.hi[0]!, `${iv.lo[0]} < ${point} < ${iv.hi[0]}`);
  assert.deepEqual(bootstrapRecovered({ unscrubbed: u, baseline: b, exp: e }, {}, T, { categories: overallOnly }), iv);
  const four = (x: Float32Array) => Float32Array.from({ length: 4 * x.length }, (_, i) => x[i % x.length]! + 0.01 * rng.normal());
  const wide = bootstrapRecovered({ unscrubbed: four(u), baseline: four(b), exp: four(e) }, {}, T, { categories: overallOnly });
  assert.ok(wide.hi[0]! - wide.lo[0]! < 0.7 * (iv.hi[0]! - iv.lo[0]!), "4× the rows: about half the width");
});

test("a baseline no worse than unscrubbed is marked, and the table says why", () => {
  const [u, b, e] = [noisy(2), noisy(2), noisy(3)];
  const iv = bootstrapRecovered({ unscrubbed: u, baseline: b, exp: e }, {}, T, { categories: overallOnly });
  assert.equal(iv.gapUnclear[0], true);
  const text = formatRecoveredTable(["e"], [[0.5]], { categories: overallOnly, intervals: [iv] });
  assert.match(text, /^OVERALL † +0\.500 \[/m);
  assert.match(text, /† the baseline − unscrubbed gap's own 95 % interval includes 0/);
});

test("with one token per row the row-clustered standard error is the classic s/√N", () => {
  const x = Float32Array.from([1, 2, 4, 7, 11]);
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const s = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  const [se] = categoryStandardErrors(x, {}, 1, overallOnly);
  assert.ok(Math.abs(se! - s / Math.sqrt(x.length)) < 1e-12, `${se} vs ${s / Math.sqrt(x.length)}`);
  // Rows of identical tokens: more tokens per row add no information.
  const wide = Float32Array.from({ length: 5 * 7 }, (_, i) => x[Math.floor(i / 7)]!);
  assert.ok(Math.abs(categoryStandardErrors(wide, {}, 7, overallOnly)[0]! - se!) < 1e-12);
});

test("on data with a known answer, the 95 % interval covers it about 95 % of the time", () => {
  // Rows share an effect across the three runs (as reference rows do); the expected means are
  // unscrubbed 2, baseline 4, scrubbed 3, so the true recovered fraction is (4 − 3) / (4 − 2) = 0.5.
  const rows = 60;
  const trials = 300;
  const gen = new Rng(11);
  let covered = 0;
  for (let k = 0; k < trials; k++) {
    const effect = Array.from({ length: rows }, () => gen.normal());
    const run = (level: number, share: number) => Float32Array.from({ length: rows * T }, (_, i) => level + share * effect[Math.floor(i / T)]! + 0.5 * gen.normal());
    const iv = bootstrapRecovered({ unscrubbed: run(2, 1), baseline: run(4, 1), exp: run(3, 0.5) }, {}, T, { categories: overallOnly, reps: 400, seed: k });
    if (iv.lo[0]! <= 0.5 && 0.5 <= iv.hi[0]!) covered++;
  }
  // 300 trials: a true 95 % gives 285 ± 4 (one binomial SD); the bounds are about 3 SD out. (Seen: 284.)
  assert.ok(covered >= 272 && covered <= 297, `covered ${covered} of ${trials}`);
});

test("recoveredComparison gives lossRecovered's values and bootstrapRecovered's interval, on the rows of the runs only", () => {
  const rows = Int32Array.from({ length: N }, (_, i) => i);
  const [u, b, e] = [noisy(2), noisy(4), noisy(3)].map((loss) => ({ loss, refRows: rows, T }));
  const asked: Int32Array[] = [];
  const masks = { gather: (r: Int32Array) => (asked.push(r), {}) };
  const c = recoveredComparison(masks, { unscrubbed: u!, baseline: b!, exp: e! }, { categories: overallOnly, reps: 100 });
  const table = (x: Float32Array) => lossTable(x, {}, overallOnly);
  assert.deepEqual(c.values, lossRecovered(table(u!.loss), table(b!.loss), table(e!.loss)));
  assert.deepEqual(c.interval, bootstrapRecovered({ unscrubbed: u!.loss, baseline: b!.loss, exp: e!.loss }, {}, T, { categories: overallOnly, reps: 100 }));
  assert.deepEqual(asked, [rows]);
  const other = { ...e!, refRows: rows.map((r) => (r + 1) % N) };
  assert.throws(() => recoveredComparison(masks, { unscrubbed: u!, baseline: b!, exp: other }, { categories: overallOnly }), /the exp run predicts other rows than the unscrubbed run/);
});
