import { test } from "node:test";
import assert from "node:assert/strict";
import _ from "lodash";
import {
  TABLE_CATEGORIES,
  categoryStats,
  formatLossTable,
  formatPyFixed,
  formatPyRepr,
  formatStatsLine,
  logsCsvLine,
  lossTable,
} from "../src/index.js";

test("categoryStats: mean, unbiased variance and count over the masked entries", () => {
  // Selected values 1, 3, 4: mean 8/3; squared deviations 25/9, 1/9, 16/9 sum to 42/9; / (3-1) = 7/3.
  const s = categoryStats(new Float32Array([1, 2, 3, 4, 10]), new Uint8Array([1, 0, 1, 1, 0]));
  assert.equal(s.count, 3);
  assert.ok(Math.abs(s.mean - 8 / 3) < 1e-15);
  assert.ok(Math.abs(s.variance - 7 / 3) < 1e-15);
});

test("categoryStats: n = 1 gives NaN variance, n = 0 gives NaN mean", () => {
  const one = categoryStats(new Float32Array([5, 2.5]), new Uint8Array([0, 1]));
  assert.equal(one.count, 1);
  assert.equal(one.mean, 2.5);
  assert.ok(Number.isNaN(one.variance));
  const none = categoryStats(new Float32Array([5, 2.5]), new Uint8Array([0, 0]));
  assert.equal(none.count, 0);
  assert.ok(Number.isNaN(none.mean) && Number.isNaN(none.variance));
  assert.throws(() => categoryStats(new Float32Array(3), new Uint8Array(2)), RangeError);
});

test("categoryStats agrees with a direct float64 computation on large, offset data", () => {
  // A large common offset is where a one-pass sum-of-squares formula loses every digit.
  let s = 12345;
  const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const n = 20000;
  const loss = new Float32Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    loss[i] = 1000 + rnd() * 0.01;
    mask[i] = rnd() < 0.3 ? 1 : 0;
  }
  const xs = [...loss].filter((_, i) => mask[i] === 1);
  const m = _.mean(xs);
  const variance = _.sumBy(xs, (x) => (x - m) ** 2) / (xs.length - 1);
  const got = categoryStats(loss, mask);
  assert.equal(got.count, xs.length);
  assert.ok(Math.abs(got.mean - m) < 1e-9);
  assert.ok(Math.abs(got.variance - variance) / variance < 1e-6, `${got.variance} vs ${variance}`);
});

test("lossTable: one row per category, overall defaults to every position", () => {
  const loss = new Float32Array([1, 2, 3, 4]);
  const ones = new Uint8Array([1, 1, 1, 1]);
  const firstTwo = new Uint8Array([1, 1, 0, 0]);
  const masks = {
    inductionCandidates: firstTwo,
    repeatCandidates: ones,
    repeats: ones,
    uncommonRepeats: ones,
    nerbUncommonRepeats: ones,
    misleadingInduction: ones,
    candidateErb: ones,
    nferbUncommonRepeats: new Uint8Array(4),
  };
  const rows = lossTable(loss, masks);
  assert.deepEqual(
    rows.map((r) => r.label),
    TABLE_CATEGORIES.map((c) => c.label),
  );
  assert.equal(rows[0]!.mean, 2.5);
  assert.equal(rows[0]!.count, 4);
  assert.equal(rows[1]!.mean, 1.5);
  assert.equal(rows[1]!.variance, 0.5);
  assert.equal(rows[8]!.count, 0);
  assert.throws(() => lossTable(loss, { overall: ones }), /no mask given/);
});

// The `unscrubbed` block of the seed notebook (REPO results.ipynb @0272edd; docs/semantics.md §10.1), verbatim.
const SEED_UNSCRUBBED = `OVERALL
     4.192    10.507   3000000
CANDIDATES
     3.263    11.428    163147
LATER CANDIDATES
     1.165     7.686     36312
REPEATS
     2.499     5.658   1278308
UNCOMMON REPEATS
     3.952    11.538    303884
NON-ERB UNCOMMON REPEATS
     5.569     9.985    172800
MISLEADING INDUCTION
     4.837     9.919    182439
CANDIDATE ERB
     0.202     0.538     30722
NFERB UR
     5.760     9.610    158631
`;
const UNSCRUBBED: [number, number, number][] = [
  [4.192, 10.507, 3000000],
  [3.263, 11.428, 163147],
  [1.165, 7.686, 36312],
  [2.499, 5.658, 1278308],
  [3.952, 11.538, 303884],
  [5.569, 9.985, 172800],
  [4.837, 9.919, 182439],
  [0.202, 0.538, 30722],
  [5.76, 9.61, 158631],
];
const unscrubbedRows = TABLE_CATEGORIES.map((c, i) => ({
  ...c,
  mean: UNSCRUBBED[i]![0],
  variance: UNSCRUBBED[i]![1],
  count: UNSCRUBBED[i]![2],
}));

test("formatLossTable reproduces the seed's unscrubbed block", () => {
  assert.equal(formatLossTable(unscrubbedRows), SEED_UNSCRUBBED);
});

test("formatLossTable: e30ba3d short labels", () => {
  const text = formatLossTable(unscrubbedRows, { labels: "short" });
  assert.ok(text.includes("\nNERB UR\n     5.569     9.985    172800\n"));
  assert.ok(!text.includes("NON-ERB"));
});

test("formatStatsLine: 10-wide fields, NaN as Python prints it, never truncated", () => {
  assert.equal(formatStatsLine({ mean: 0.171, variance: 0.076, count: 6000 }), "     0.171     0.076      6000");
  assert.equal(formatStatsLine({ mean: NaN, variance: NaN, count: 0 }), "       nan       nan         0");
  assert.equal(
    formatStatsLine({ mean: 123456789.5, variance: 2, count: 12345678901 }),
    "123456789.500     2.00012345678901",
  );
});

test("formatPyFixed rounds like Python's format(x, '.3f')", () => {
  // Expected strings are Python 3.11's output.
  const cases: [number, string][] = [
    [0.0625, "0.062"], // exact binary tie -> half to even (toFixed gives 0.063)
    [0.1875, "0.188"], // exact tie, already even upward
    [0.3125, "0.312"],
    [2.5625, "2.562"],
    [-0.0625, "-0.062"],
    [2.0005, "2.001"], // not a tie: the double is slightly above 2.0005
    [1.0005, "1.000"], // not a tie: slightly below
    [4.1925, "4.192"],
    [0.0005, "0.001"],
    [12345.6785, "12345.678"],
    [-0.0001, "-0.000"],
    [-0, "-0.000"],
    [1e21, "1000000000000000000000.000"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ];
  for (const [x, want] of cases) assert.equal(formatPyFixed(x, 3), want, `${x}`);
  assert.equal(formatPyFixed(2.5, 0), "2"); // Python: format(2.5, '.0f') == '2'
  assert.equal(formatPyFixed(3.5, 0), "4");
  assert.equal(formatPyFixed(0.25, 1), "0.2");
});

test("formatPyRepr matches Python's repr(float)", () => {
  const cases: [number, string][] = [
    [4.19200325012207, "4.19200325012207"],
    [4.22822358814301e-6, "4.22822358814301e-06"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [3, "3.0"],
    [-2.5, "-2.5"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [1.5e300, "1.5e+300"],
    [0, "0.0"],
    [NaN, "nan"],
  ];
  for (const [x, want] of cases) assert.equal(formatPyRepr(x), want, `${x}`);
});

test("logsCsvLine reproduces a row of REPO's logs.csv", () => {
  // The first row of logs.csv (an 8-category run from before NFERB UR was added).
  const line =
    "unscrubbed,42,10000,2023-01-23 12:08:23.116757-08:00,4.19200325012207,10.50768756866455,3000000," +
    "3.2630844116210938,11.427127838134766,163161,1.1655908823013306,7.685837268829346,36311," +
    "2.498969554901123,5.65857458114624,1278288,3.9519786834716797,11.540096282958984,303868," +
    "5.569493293762207,9.987030029296875,172779,4.836723327636719,9.919179916381836,182416";
  const nums = line.split(",").slice(4).map(Number);
  const rows = _.chunk(nums, 3).map(([mean, variance, count]) => ({ mean: mean!, variance: variance!, count: count! }));
  assert.equal(logsCsvLine("unscrubbed", 42, 10000, "2023-01-23 12:08:23.116757-08:00", rows), line);
});

test("logsCsvLine: empty categories, float32 rounding, Date timestamps, quoting", () => {
  const rows = [
    { mean: 4.192, variance: 10.507, count: 3000000 },
    { mean: NaN, variance: NaN, count: 0 },
  ];
  const ts = new Date(Date.UTC(2023, 0, 23, 20, 8, 23, 116));
  assert.equal(
    logsCsvLine("ev", 42, 10000, ts, rows),
    // float32(4.192) and float32(10.507) as Python repr prints them.
    "ev,42,10000,2023-01-23 20:08:23.116000+00:00,4.191999912261963,10.506999969482422,3000000,nan,nan,0",
  );
  assert.equal(
    logsCsvLine('a,"b"', 1, 2, "t", rows.slice(0, 1), { float32: false }),
    '"a,""b""",1,2,t,4.192,10.507,3000000',
  );
  assert.equal(logsCsvLine("x", 1, 2, new Date(Date.UTC(2023, 0, 2, 3, 4, 5)), []), "x,1,2,2023-01-02 03:04:05+00:00");
});
