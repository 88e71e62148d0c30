/** @isc/viz: the HTML and figure specs carry the numbers, labels and colours they claim to. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  attentionHeatmap,
  barChart,
  colouredTextHtml,
  croppedRange,
  cuiColour,
  escapeHtml,
  facetsFromStack,
  fmtPercent,
  fmtRecovered,
  lossTableHtml,
  matrixHeatmap,
  PLOTLY_PLACEHOLDER,
  PLOTLY_READY_EVENT,
  plotlyHtml,
  plotlyLibraryHtml,
  plotlySpecOf,
  recoveredColour,
  recoveredTableHtml,
  scriptSafe,
  UNCLEAR_NOTE,
} from "../src/index.js";

test("CUI colour rule: red above 0, blue (216°) at or below, lightness floor((1-|v/scale|/2)·100) clamped to [50,100]", () => {
  assert.equal(cuiColour(0), "hsl(216, 100%, 100%)"); // 0 is not > 0: blue hue, white
  assert.equal(cuiColour(1), "hsl(0, 100%, 50%)");
  assert.equal(cuiColour(-1), "hsl(216, 100%, 50%)");
  assert.equal(cuiColour(0.5), "hsl(0, 100%, 75%)");
  assert.equal(cuiColour(-0.3), "hsl(216, 100%, 85%)");
  assert.equal(cuiColour(0.02, 0.1), "hsl(0, 100%, 90%)"); // v' = 0.2
  assert.equal(cuiColour(5, 2), "hsl(0, 100%, 50%)"); // saturates
  assert.equal(cuiColour(-0.3, 0), "hsl(216, 100%, 85%)"); // scale 0 means 1, as CUI's `if (!scale)`
  assert.equal(cuiColour(0.01), "hsl(0, 100%, 99%)");
});

const rows = (m: number) => [
  { label: "OVERALL", mean: 4.192 + m, variance: 10.507, count: 3000000 },
  { label: "CANDIDATES", mean: 3.263 + m, variance: 11.428, count: 163147 },
  { label: "A<B & \"C\"", mean: Number.NaN, variance: Number.NaN, count: 0 },
];

test("loss table HTML has every experiment, category and number", () => {
  const html = lossTableHtml([
    { name: "unscrubbed", rows: rows(0) },
    { name: "ev", rows: rows(0.078) },
  ]);
  for (const s of ["unscrubbed", "ev", "OVERALL", "CANDIDATES", "4.192", "10.507", "3,000,000", "3.263", "11.428", "163,147", "4.270", "3.341", "nan"]) {
    assert.ok(html.includes(s), `missing ${s}`);
  }
  assert.ok(html.includes("A&lt;B &amp; &quot;C&quot;"), "labels are escaped");
  assert.equal((html.match(/<tr/g) ?? []).length, 2 + 3); // two header rows + 3 categories
  assert.throws(() => lossTableHtml([{ name: "a", rows: rows(0) }, { name: "b", rows: rows(0).slice(1) }]), /categories/);
  const meansOnly = lossTableHtml([{ name: "ev", rows: rows(0) }], { stats: ["mean"] });
  assert.ok(!meansOnly.includes("10.507") && meansOnly.includes("4.192"));
});

test("% recovered table: percentages, colour from white (0) to green (1), reference values, out-of-range framed", () => {
  const html = recoveredTableHtml(["OVERALL", "CANDIDATES"], ["ev", "eq"], [[0.819, 0.8973], [1.4, -0.2]], {
    reference: { ev: [0.819, 0.897] },
    referenceLabel: "seed",
    highlight: ["CANDIDATES"],
  });
  for (const s of ["81.9%", "89.7%", "140.0%", "-20.0%", "seed 89.7%", recoveredColour(0.8973)]) assert.ok(html.includes(s), `missing ${s}`);
  assert.equal(recoveredColour(0), "hsl(135, 55%, 100%)");
  assert.equal(recoveredColour(1), "hsl(135, 55%, 62%)");
  assert.equal(recoveredColour(2), recoveredColour(1));
  assert.equal((html.match(/dashed/g) ?? []).length, 2);
  assert.equal(fmtPercent(Number.NaN), "nan");
  assert.throws(() => recoveredTableHtml(["a"], ["x", "y"], [[1]]), /2 experiment names but 1 columns/);
});

test("SAA coloured text escapes tokens, colours by sign with CUI's rule, and carries values on hover", () => {
  const tokens = ["[BEGIN]", "<b>", " &x", "\n", "'q\""];
  const values = [0, 0.5, -0.25, 0, 0.125];
  const html = colouredTextHtml(tokens, [{ label: "Loss increase from unscrubbed to scrub-1.5", values }]);
  assert.ok(!html.includes("<b>"), "token markup must be escaped");
  assert.ok(html.includes("&lt;b&gt;") && html.includes(" &amp;x") && html.includes("&#39;q&quot;"));
  assert.ok(html.includes("↵\n"), "newline shows as ↵ and still breaks");
  // scale defaults to max |v| = 0.5: 0.5 → saturated red, -0.25 → v' = -0.5 → blue at 75%.
  assert.ok(html.includes(`background-color:${cuiColour(0.5, 0.5)}`) && cuiColour(0.5, 0.5) === "hsl(0, 100%, 50%)");
  assert.ok(html.includes("background-color:hsl(216, 100%, 75%)"));
  assert.ok(html.includes('title="1: &quot;&lt;b&gt;&quot; +0.5000 nats"'), "hover value");
  assert.ok(html.includes('data-value="-0.25"'));
  const cropped = colouredTextHtml(tokens, [{ label: "x", values }], { start: 1, end: 3, scale: 1 });
  assert.equal((cropped.match(/data-pos=/g) ?? []).length, 2);
  assert.throws(() => colouredTextHtml(tokens, [{ label: "bad", values: [1] }]), /1 values for 5 tokens/);
});

function pattern(T: number): Float32Array {
  const p = new Float32Array(T * T);
  for (let q = 0; q < T; q++) for (let k = 0; k <= q; k++) p[q * T + k] = q * 100 + k; // encodes its own (q, k)
  return p;
}

test("attention heatmap: z is query × key after cropping, labels are unique and follow the crop", () => {
  const T = 10;
  const tokens = ["[BEGIN]", "a", "b", "a", "b", " c", "\n", "d", "e", "f"];
  const fig = attentionHeatmap(
    [
      { name: "a1.5", pattern: pattern(T) },
      { name: "a1.6", pattern: pattern(T) },
    ],
    { tokens, dropBegin: true, maxLen: 5 },
  );
  assert.equal(fig.data.length, 2);
  const tr = fig.data[0] as { z: (number | null)[][]; x: string[]; y: string[]; xaxis: string; yaxis: string };
  assert.equal(tr.z.length, 5);
  assert.ok(tr.z.every((r) => r.length === 5));
  assert.deepEqual(tr.x, ["1 a", "2 b", "3 a", "4 b", "5 ·c"]);
  assert.deepEqual(tr.y, tr.x);
  assert.equal(new Set(tr.x).size, tr.x.length, "repeated tokens still give distinct categories");
  assert.equal(tr.z[0]![0], 101); // query 1, key 1
  assert.equal(tr.z[4]![2], 503); // query 5, key 3
  assert.equal(tr.z[0]![1], null); // future key masked
  assert.equal((fig.data[1] as { xaxis: string }).xaxis, "x2");
  assert.equal((fig.layout.yaxis as { autorange: string }).autorange, "reversed");
  assert.deepEqual(croppedRange(300, { dropBegin: true, maxLen: 35 }), [1, 36]); // REPO: trim_beg, max_seq_len=35
  assert.deepEqual(croppedRange(300, { start: 10, end: 20 }), [10, 20]);
  assert.throws(() => croppedRange(5, { start: 5 }), /no positions/);
  const diff = attentionHeatmap([{ name: "Δ", pattern: pattern(T).map((v) => -v) }], { tokens, diverging: true });
  const ca = diff.layout.coloraxis as { cmin: number; cmax: number };
  assert.equal(ca.cmin, -ca.cmax);
  assert.throws(() => attentionHeatmap([{ name: "x", pattern: new Float32Array(5) }], { tokens }), /10 tokens need 100/);
});

test("facetsFromStack picks heads from [L*H, T, T] without copying", () => {
  const T = 3;
  const stack = new Float32Array(4 * T * T).map((_, i) => i);
  const f = facetsFromStack(stack, T, [2], ["a0.0", "a0.1", "a1.0", "a1.1"]);
  assert.equal(f[0]!.name, "a1.0");
  assert.equal(f[0]!.pattern[0], 2 * T * T);
  assert.throws(() => facetsFromStack(stack, T, [4], []), /outside/);
});

test("bar chart and matrix heatmap carry their values", () => {
  const b = barChart(["ev", "eq"], [{ name: "this model", values: [0.897, Number.NaN] }, { name: "seed", values: [0.897, 0.504] }]);
  const t0 = b.data[0] as { y: (number | null)[]; text: string[] };
  assert.deepEqual(t0.y, [89.7, null]);
  assert.deepEqual(t0.text, ["89.7%", "n/a"]);
  const m = matrixHeatmap([[0.1, 0.2], [0.3, 0.4]], { xLabels: ["h0", "h1"], yLabels: ["L0", "L1"] });
  assert.deepEqual((m.data[0] as { z: number[][] }).z, [[0.1, 0.2], [0.3, 0.4]]);
  assert.throws(() => matrixHeatmap([[1]], { xLabels: ["a", "b"], yLabels: ["r"] }), /1 values for 2/);
});

test("plotly HTML: the library apart from the figures, </script> escaped, the spec readable back, a fallback image", () => {
  const fig = barChart(["</script><script>alert(1)</script>"], [{ name: "x", values: [0.5] }]);
  const html = plotlyHtml(fig, { fallbackPngBase64: "AAAA", id: "p1" });
  assert.equal((html.match(/<\/script>/gi) ?? []).length, 2, "only our own script tags close");
  assert.ok(html.includes('<div id="p1"'));
  assert.ok(html.includes("data:image/png;base64,AAAA"));
  assert.ok(!html.includes("window.define = undefined"), "no library in a figure");
  assert.deepEqual(plotlySpecOf(html)?.data, JSON.parse(JSON.stringify(fig.data)), "the spec reads back");
  assert.ok(plotlyHtml(fig).includes(PLOTLY_PLACEHOLDER), "a placeholder without a PNG");
  const lib = plotlyLibraryHtml("window.Plotly={newPlot:function(){}}; // </script>");
  assert.equal((lib.match(/<\/script>/gi) ?? []).length, 3);
  assert.ok(lib.includes(PLOTLY_READY_EVENT) && lib.includes("window.define = undefined"));
  assert.equal(scriptSafe("a</SCRIPT>b"), "a<\\/SCRIPT>b");
});

test("a loss table whose rows carry a standard error shows it beside every mean; rows without one do not", () => {
  const withSe = rows(0).map((r, i) => ({ ...r, se: [0.0123, 0.0456, Number.NaN][i]! }));
  const html = lossTableHtml([{ name: "ev", rows: withSe }], { stats: ["mean", "count"] });
  assert.ok(html.includes(">SE</th>") && html.includes(">0.012<") && html.includes(">0.046<"), "SE column with the values");
  assert.ok(html.indexOf(">mean</th>") < html.indexOf(">SE</th>") && html.indexOf(">SE</th>") < html.indexOf(">count</th>"), "SE right after mean");
  assert.ok(html.includes('colspan="3"'), "the experiment spans mean, SE and count");
  assert.ok(!lossTableHtml([{ name: "ev", rows: rows(0) }]).includes(">SE</th>"), "no SE where the rows have none");
  assert.ok(!lossTableHtml([{ name: "ev", rows: withSe }], { stats: ["count"] }).includes(">SE</th>"), "SE comes with the mean only");
});

test("% recovered with intervals: each cell has its 95 % interval; an unclear gap is marked †, greyed and explained", () => {
  const intervals = [
    { lo: [0.801, -20], hi: [0.95, 3], gapUnclear: [false, true] },
    { lo: [0.5, -5], hi: [0.6, 9], gapUnclear: [false, true] },
  ];
  const html = recoveredTableHtml(["CANDIDATES", "MISLEADING INDUCTION"], ["ev", "eq"], [[0.897, -11.46], [0.55, 2]], { intervals });
  assert.ok(html.includes('89.7% <span class="isc-ci" style="font-size:11px;color:#444">[80.1%, 95.0%]</span>'));
  assert.ok(html.includes("[-2000.0%, 300.0%]"));
  assert.ok(html.includes(">MISLEADING INDUCTION †</td>") && html.includes(">CANDIDATES</td>"), "only the unclear category is marked");
  assert.ok(html.includes(`<tfoot><tr><td colspan="3"`) && html.includes(escapeHtml(UNCLEAR_NOTE)));
  assert.equal((html.match(/dashed/g) ?? []).length, 0, "an unclear ratio is not framed as out of range");
  assert.equal((html.match(/background:hsl\(0, 0%, 90%\)/g) ?? []).length, 2, "both unclear cells are grey");
  assert.ok(!recoveredTableHtml(["CANDIDATES"], ["ev"], [[0.5]], { intervals: [{ lo: [0.4], hi: [0.6], gapUnclear: [false] }] }).includes("<tfoot>"), "no note when nothing is unclear");
  assert.throws(() => recoveredTableHtml(["a"], ["x"], [[1]], { intervals: [] }), /0 intervals for 1 columns/);
  assert.equal(fmtRecovered(-11.46, intervals[0], 1), "-1146.0% [-2000.0%, 300.0%] †");
  assert.equal(fmtRecovered(0.897, intervals[0], 0), "89.7% [80.1%, 95.0%]");
  assert.equal(fmtRecovered(0.897, undefined, 0), "89.7%");
});

test("bar chart error bars run from the interval's ends to the bar; unclear bars are marked and the note is under the chart", () => {
  const b = barChart(["ev", "eq", "all"], [
    { name: "ours", values: [0.5, 0.2, Number.NaN], lo: [0.4, -0.1, Number.NaN], hi: [0.55, 0.9, Number.NaN], unclear: [false, true, false] },
    { name: "seed", values: [0.9, 0.5, 0.37] },
  ]);
  const [ours, seed] = b.data as { error_y?: { array: (number | null)[]; arrayminus: (number | null)[]; symmetric: boolean }; text: string[] }[];
  assert.deepEqual(ours!.error_y!.array, [5, 70, null]);
  assert.deepEqual(ours!.error_y!.arrayminus, [10, 30, null]);
  assert.equal(ours!.error_y!.symmetric, false);
  assert.deepEqual(ours!.text, ["50.0%", "20.0% †", "n/a"]);
  assert.equal(seed!.error_y, undefined, "no whiskers on a series without an interval");
  const notes = b.layout.annotations as { text: string }[];
  assert.deepEqual(notes.map((a) => a.text), [UNCLEAR_NOTE]);
  assert.deepEqual(barChart(["ev"], [{ name: "x", values: [0.5] }]).layout.annotations, []);
  assert.equal(barChart(["ev"], [{ name: "x (95 % interval)", values: [0.5], lo: [0.4], hi: [0.6] }]).layout.showlegend, true, "a lone series with whiskers keeps its legend, which names them");
  assert.equal(barChart(["ev"], [{ name: "x", values: [0.5] }]).layout.showlegend, undefined);
});
