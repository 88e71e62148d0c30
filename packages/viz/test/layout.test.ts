/** Layout rules: nothing wider than 1,200 px, no label under 10 px, titles below the toolbar and never clipped, wide tables split. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { attentionHeatmap, barChart, chartTitle, facetsFromStack, lossTableHtml, MAX_FIGURE_WIDTH, MIN_FONT_SIZE, recoveredTableHtml, withTitle } from "../src/index.js";

const fontSizes = (x: unknown): number[] =>
  x && typeof x === "object" ? Object.entries(x).flatMap(([k, v]) => (k === "size" && typeof v === "number" ? [v] : fontSizes(v))) : [];

test("a bar chart of 8 heads × 3 series (notebook 03's, 1,840 px before) is at most 1,200 px wide", () => {
  const series = [0, 1, 2].map((s) => ({ name: `s${s}`, values: Array.from({ length: 8 }, (_, i) => i / 10 + s) }));
  const fig = barChart(Array.from({ length: 8 }, (_, i) => `a0.${i}`), series, { title: "Mean attention to the previous position, A[t, t−1]", percent: false });
  assert.ok((fig.layout.width as number) <= MAX_FIGURE_WIDTH, `${fig.layout.width}`);
});

test("an attention grid fits 1,200 px, labels only its outer panels, and no font is under 10 px", () => {
  const T = 30;
  const data = new Float32Array(16 * T * T).fill(1 / T);
  const names = Array.from({ length: 16 }, (_, i) => `a${i >> 3}.${i % 8}`);
  const fig = attentionHeatmap(facetsFromStack(data, T, names.map((_, i) => i), names), { tokens: Array.from({ length: T }, (_, i) => `tok${i}`), columns: 8, panelSize: 250, title: "Attention of every head" });
  assert.ok((fig.layout.width as number) <= MAX_FIGURE_WIDTH, `${fig.layout.width}`);
  assert.ok(fontSizes(fig.layout).every((s) => s >= MIN_FONT_SIZE), `${fontSizes(fig.layout)}`);
  const x = (i: number) => fig.layout[`xaxis${i === 0 ? "" : i + 1}`] as { showticklabels: boolean };
  assert.equal(x(0).showticklabels, false, "top row: no key labels under it");
  assert.equal(x(15).showticklabels, true, "bottom row keeps them");
});

test("titles sit below the modebar's band, shrink, and wrap instead of running off the figure", () => {
  const short = chartTitle("Induction score per head", 700);
  assert.ok(((short.title.pad as { t: number }).t) >= 30, "below the toolbar");
  assert.equal(short.title.yref, "container");
  const long = "0.0's pattern edited where it feeds layer 1: % recovered on CANDIDATES — default model, 100 samples";
  const t = chartTitle(long, 640);
  const lines = String(t.title.text).split("<br>");
  const size = (t.title.font as { size: number }).size;
  assert.ok(lines.length >= 2 && lines.every((l) => l.length * size * 0.56 <= 640), `${lines} at ${size}px`);
  const fig = withTitle(barChart(["ev"], [{ name: "x", values: [0.5] }]), long);
  assert.ok((fig.layout.margin as { t: number }).t >= t.marginTop);
});

test("a loss table or % recovered table too wide for 1,200 px is split into stacked tables", () => {
  const rows = [{ label: "ALL", mean: 1, se: 0.1, variance: 1, count: 10 }];
  const exps = Array.from({ length: 9 }, (_, i) => ({ name: `e${i}`, rows }));
  const html = lossTableHtml(exps, { caption: "loss" });
  assert.ok(html.split("<table").length - 1 >= 3, "9 experiments × 4 columns do not fit one table");
  assert.equal(html.split("<caption").length - 1, 1, "one caption");
  const names = Array.from({ length: 12 }, (_, i) => `e${i}`);
  const rec = recoveredTableHtml(["ALL"], names, names.map(() => [0.5]), { intervals: names.map(() => ({ lo: [0.4], hi: [0.6], gapUnclear: [false] })) });
  assert.ok(rec.split("<table").length - 1 >= 2);
  for (const n of names) assert.ok(rec.includes(`>${n}</th>`), n);
});
