/**
 * The default basis of a subspace split: the Jacobi eigen-solver on matrices with known answers,
 * and the PCA of activations of the tiny model against a float64 covariance computed from its cache.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, tf } from "@isc/core";
import { activationPcas, type TokenDataset } from "../src/index.js";
import { symmetricEigen } from "../src/symmetric-eigen.js";
import { cfg, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;
before(async () => {
  ({ model, ds } = await tinySetup());
});

test("symmetricEigen: a rotated diagonal matrix gives back its values (largest first) and axes", () => {
  // A = R diag(3, 1, −2) Rᵀ with R a rotation by 30° in the (0, 1) plane.
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const R = [c, -s, 0, s, c, 0, 0, 0, 1];
  const d = [3, 1, -2];
  const A = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) A[i * 3 + j] += R[i * 3 + k] * d[k] * R[j * 3 + k];
  const { values, vectors } = symmetricEigen(A, 3);
  assert.deepEqual([...values].map((v) => +v.toFixed(12)), [3, 1, -2]);
  assert.deepEqual([...vectors.subarray(0, 3)].map((v) => +v.toFixed(12)), [+c.toFixed(12), +s.toFixed(12), 0]);
  assert.deepEqual([...vectors.subarray(6, 9)].map((v) => +v.toFixed(12)), [0, 0, 1]);
});

test("symmetricEigen: a random 40 × 40 covariance is reconstructed from orthonormal vectors", () => {
  const n = 40;
  const X = Float64Array.from({ length: n * 60 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < 60; k++) A[i * n + j] += X[i * 60 + k] * X[j * 60 + k];
  const { values, vectors } = symmetricEigen(A, n);
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rec = 0;
      let dot = 0;
      for (let k = 0; k < n; k++) {
        rec += vectors[k * n + i] * values[k] * vectors[k * n + j];
        dot += vectors[i * n + k] * vectors[j * n + k];
      }
      err = Math.max(err, Math.abs(rec - A[i * n + j]), Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  assert.ok(err < 1e-9, `error ${err}`);
  for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1]);
});

test("activationPcas: mean and covariance of every position of the rows, as computed from the cache in float64", async () => {
  const before = tf.memory().numTensors;
  const sites = [{ hook: "blocks.1.ln1.hook_normalized" }, { hook: "blocks.0.attn.hook_result", heads: [1] }];
  const [ln, head1] = await activationPcas(model, ds, sites, { rows: 10, batchSize: 4 });
  assert.equal(ln.positions, 10 * cfg.n_ctx);
  const idx = Int32Array.from({ length: 10 }, (_, i) => i);
  const c = model.runWithCache({ data: ds.gather(idx), batch: 10, width: ds.width }, { namesFilter: [sites[1].hook] });
  const result = (await c.cache.get(sites[1].hook).data()) as Float32Array; // [10, T, H, D]
  c.nll.dispose();
  c.cache.dispose();
  const D = cfg.d_model;
  const X = Array.from({ length: 10 * cfg.n_ctx }, (_, n) => Float64Array.from(result.subarray((n * cfg.n_heads + 1) * D, (n * cfg.n_heads + 2) * D)));
  const mean = Array.from({ length: D }, (_, j) => X.reduce((s, x) => s + x[j], 0) / X.length);
  assert.ok(Math.max(...mean.map((m, j) => Math.abs(m - head1.mean[j]))) < 1e-5);
  // Each component's variance is uᵀ Σ u, and the components are orthonormal.
  for (let i = 0; i < D; i++) {
    const u = head1.components.subarray(i * D, (i + 1) * D);
    const v = X.reduce((s, x) => s + x.reduce((a, xj, j) => a + (xj - mean[j]) * u[j], 0) ** 2, 0) / X.length;
    assert.ok(Math.abs(v - head1.variances[i]) < 1e-4 * (1 + head1.variances[0]), `component ${i}: ${v} vs ${head1.variances[i]}`);
    assert.ok(Math.abs(u.reduce((a, x) => a + x * x, 0) - 1) < 1e-5);
  }
  // The LayerNorm output lies in a hyperplane (its centred input sums to zero): one direction has no variance.
  assert.ok(ln.variances[D - 1] < 1e-6 * ln.variances[0], `smallest variance ${ln.variances[D - 1]}`);
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
});
