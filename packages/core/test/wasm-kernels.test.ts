/** Our SIMD kernels against plain JS references, over shapes that hit every edge path. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, Rng, tf } from "../src/index.js";
import { rowLogSumExp, wasmKernelsInstalled } from "../src/wasm-kernels.js";

before(async () => {
  const info = await initBackend({ quiet: true });
  if (info.name !== "wasm") throw new Error(`these tests need the wasm backend, got ${info.name}`);
});

function naive(a: Float32Array, b: Float32Array, batchA: number, batchB: number, M: number, K: number, N: number, tA: boolean, tB: boolean): Float64Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const ao = (batchA === 1 ? 0 : i) * M * K;
    const bo = (batchB === 1 ? 0 : i) * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ao + (tA ? k * M + m : m * K + k)] * b[bo + (tB ? n * K + k : k * N + n)];
        out[i * M * N + m * N + n] = s;
      }
  }
  return out;
}

test("the kernels are installed on wasm", () => assert.ok(wasmKernelsInstalled()));

test("row log-sum-exp matches float64 JS and its gradient is the softmax", () => {
  const rng = new Rng(11);
  for (const [rows, cols] of [[3, 7], [5, 8193], [2, 1], [4, 13]]) {
    const x = Float32Array.from({ length: rows * cols }, () => rng.normal() * 8 - 3);
    const t = tf.tensor2d(x, [rows, cols]);
    const got = rowLogSumExp(t).dataSync();
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * cols, (r + 1) * cols);
      const m = Math.max(...row);
      const want = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      assert.ok(Math.abs(got[r] - want) < 1e-5 * Math.max(1, Math.abs(want)), `${rows}x${cols} row ${r}: ${got[r]} vs ${want}`);
    }
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rowLogSumExp(v as tf.Tensor2D), tf.range(1, rows + 1))))(t);
    const soft = tf.mul(tf.softmax(t), tf.reshape(tf.range(1, rows + 1), [rows, 1]));
    const err = tf.max(tf.abs(tf.sub(g, soft))).dataSync()[0];
    assert.ok(err < 1e-5, `gradient err ${err}`);
    tf.dispose([t, g, soft]);
  }
  // Very negative logits underflow to zero weight instead of NaN.
  const extreme = tf.tensor2d([[0, -1000, -50]]);
  assert.ok(Math.abs(rowLogSumExp(extreme).dataSync()[0] - Math.log(1 + Math.exp(-50))) < 1e-6);
  extreme.dispose();
});

test("matches a naive product for all transposes, odd sizes and batch broadcast", () => {
  const rng = new Rng(3);
  const before = tf.memory().numTensors;
  for (const [batchA, batchB, M, K, N] of [
    [3, 3, 5, 7, 6],
    [2, 2, 9, 3, 17],
    [4, 1, 13, 8, 11],
    [1, 4, 6, 5, 9],
    [2, 2, 1, 1, 1],
    [1, 1, 7, 4, 10], // 2-D with transposes also comes here
  ]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = Float32Array.from({ length: batchA * M * K }, () => rng.normal());
        const b = Float32Array.from({ length: batchB * K * N }, () => rng.normal());
        const ta = tf.tensor(a, [batchA, tA ? K : M, tA ? M : K]);
        const tb = tf.tensor(b, [batchB, tB ? N : K, tB ? K : N]);
        const c = tf.matMul(ta, tb, tA, tB);
        const got = c.dataSync();
        const want = naive(a, b, batchA, batchB, M, K, N, tA, tB);
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
        assert.deepEqual(c.shape, [Math.max(batchA, batchB), M, N]);
        assert.ok(err < 1e-4, `batch ${batchA}/${batchB} ${M}x${K}x${N} tA=${tA} tB=${tB}: err ${err}`);
        tf.dispose([ta, tb, c]);
      }
    }
  }
  assert.equal(tf.memory().numTensors, before);
});

test("rank-4 attention-shaped products and their gradients agree with per-slice 2-D products", () => {
  const q = tf.randomNormal([2, 3, 10, 4], 0, 1, "float32", 1);
  const k = tf.randomNormal([2, 3, 10, 4], 0, 1, "float32", 2);
  const f = (x: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor4D, k, false, true)));
  const g = tf.grad(f)(q);
  // Reference gradient of sum((q k^T)^2): 2 (q k^T) k, per slice with 2-D products (XNNPACK path).
  const ref = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < 2; i++)
      for (let h = 0; h < 3; h++) {
        const qi = tf.reshape(tf.slice(q, [i, h, 0, 0], [1, 1, 10, 4]), [10, 4]) as tf.Tensor2D;
        const ki = tf.reshape(tf.slice(k, [i, h, 0, 0], [1, 1, 10, 4]), [10, 4]) as tf.Tensor2D;
        parts.push(tf.mul(2, tf.matMul(tf.matMul(qi, tf.transpose(ki)), ki)));
      }
    return tf.reshape(tf.stack(parts), [2, 3, 10, 4]);
  });
  const err = tf.max(tf.abs(tf.sub(g, ref))).dataSync()[0];
  assert.ok(err < 1e-3, `gradient err ${err}`);
  tf.dispose([q, k, g, ref]);
});

test("row gather copies whole rows, refuses indices outside the table, and leaves other gathers to tfjs", () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const table = tf.tensor2d(Float32Array.from({ length: 7 * 5 }, (_, i) => i * 0.5), [7, 5]);
    const rows = table.arraySync() as number[][];
    const got = tf.gather(table, tf.tensor2d([[6, 0, 3], [3, 3, 1]], [2, 3], "int32"));
    assert.deepEqual(got.shape, [2, 3, 5]);
    assert.deepEqual(got.arraySync(), [[rows[6], rows[0], rows[3]], [rows[3], rows[3], rows[1]]]);
    assert.throws(() => tf.gather(table, tf.tensor1d([7], "int32")), /index 7 is outside \[0, 7\)/);
    assert.throws(() => tf.gather(table, tf.tensor1d([-1], "int32")), /index -1 is outside/);
    // Columns (axis 1) and int32 tables take tfjs' own kernel.
    assert.deepEqual(tf.gather(table, tf.tensor1d([4, 0], "int32"), 1).arraySync(), rows.map((r) => [r[4], r[0]]));
    assert.deepEqual(tf.gather(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), tf.tensor1d([1], "int32")).arraySync(), [[3, 4]]);
  });
  assert.equal(tf.memory().numTensors, before);
});

test("kernels read inputs that arrive from another backend, even when moving them in grows the heap", async () => {
  const backend = tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory; HEAPU8: Uint8Array; asm?: { memory?: WebAssembly.Memory } } };
  const heapBytes = () => (backend.wasm.wasmMemory ?? backend.wasm.asm?.memory ?? backend.wasm.HEAPU8).buffer.byteLength;
  const before = heapBytes();
  const width = 256;
  const rows = Math.ceil(before / (4 * width)) + 1024; // more than the whole heap holds now
  // Born on the cpu backend: the wasm backend moves it in when a kernel first looks it up.
  await tf.setBackend("cpu");
  const table = tf.tensor2d(Float32Array.from({ length: rows * width }, (_, i) => i % 9973), [rows, width]);
  const w = tf.tensor2d(Float32Array.from({ length: width * 4 }, (_, i) => (i % 5) - 2), [width, 4]);
  await tf.setBackend("wasm");
  const idx = tf.tensor1d([rows - 1, 0, 7], "int32");
  const got = tf.gather(table, idx);
  assert.ok(heapBytes() > before, `the heap grew (${before} -> ${heapBytes()} bytes)`);
  const data = got.dataSync();
  for (const [r, src] of [[0, rows - 1], [1, 0], [2, 7]]) assert.equal(data[r * width + 3], (src * width + 3) % 9973, `row ${r}`);
  // The same for a product whose second operand is the one moved in.
  const prod = tf.matMul(got, w).dataSync();
  const wData = w.dataSync();
  let want = 0;
  for (let k = 0; k < width; k++) want += data[k] * wData[k * 4];
  assert.ok(Math.abs(prod[0] - want) <= 1e-3 * Math.abs(want) + 1e-3, `product ${prod[0]} vs ${want}`);
  tf.dispose([table, w, idx, got]);
});
