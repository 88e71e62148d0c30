/** The notebooks' figure functions that take plain numbers, without a kernel or a model. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { headScoresFigure, lossByPositionFigure, prevTokenMass, recoveredByDimensionFigure } from "../lib/figures.js";

test("prevTokenMass is the mean attention to the previous position, per head", () => {
  const n = 3;
  // head 0 attends to the previous position everywhere; head 1 to itself.
  const stack = new Float32Array([1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(prevTokenMass(stack, n), [1, 0]);
});

test("headScoresFigure is a layer × head heatmap scaled from 0", () => {
  const fig = headScoresFigure([[0.1, 0.9], [0.3, 0.2]], "previous-token score");
  const trace = fig.data[0] as { z: number[][]; x: string[]; y: string[]; zmin: number; zmax: number };
  assert.deepEqual(trace.z, [[0.1, 0.9], [0.3, 0.2]]);
  assert.deepEqual(trace.x, ["head 0", "head 1"]);
  assert.deepEqual(trace.y, ["layer 0", "layer 1"]);
  assert.equal(trace.zmin, 0);
  assert.equal(trace.zmax, 0.9);
});

test("lossByPositionFigure smooths each curve over the window and names its ICL score", () => {
  const fig = lossByPositionFigure([{ name: "natural", rows: 4, curve: [4, 2, 0, 2], score: -0.25 }], 2);
  const trace = fig.data[0] as { name: string; y: number[] };
  assert.deepEqual(trace.y, [4, 3, 1, 1]);
  assert.equal(trace.name, "natural (4 rows, ICL -0.250)");
});

test("recoveredByDimensionFigure: one point per dimension in %, evenly spaced and labelled, with asymmetric error bars", () => {
  const fig = recoveredByDimensionFigure(
    [
      { dim: 0, recovered: 0.1, lo: 0.05, hi: 0.2 },
      { dim: 8, recovered: 0.5, lo: 0.4, hi: 0.55 },
      { dim: 256, recovered: 1, lo: 1, hi: 1 },
    ],
    { title: "k-1.7-post-ln" },
  );
  const trace = fig.data[0] as { x: number[]; y: number[]; mode: string; error_y: { array: number[]; arrayminus: number[] } };
  assert.deepEqual(trace.x, [0, 1, 2]);
  assert.deepEqual(trace.y, [10, 50, 100]);
  assert.equal(trace.mode, "lines+markers");
  assert.deepEqual(trace.error_y.array.map((v) => +v.toFixed(9)), [10, 5, 0]);
  assert.deepEqual(trace.error_y.arrayminus.map((v) => +v.toFixed(9)), [5, 10, 0]);
  const xaxis = (fig.layout as { xaxis: { ticktext: string[]; tickvals: number[] } }).xaxis;
  assert.deepEqual([xaxis.tickvals, xaxis.ticktext], [[0, 1, 2], ["0", "8", "256"]]);
});
