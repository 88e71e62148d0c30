/**
 * The native kernels (packages/core/native) against float64 references, on shapes that cross every
 * blocking edge (KC 256, MC 96, NC 1024, register tiles), with 1 and 2 threads giving bit-identical
 * results. Skipped, with the reason, only where the addon was not built (no C compiler).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { before, test } from "node:test";
import { causalMask, initBackend, nativeAddonPath, nativeKernelsInfo, Rng, setNativeThreads, tf } from "../src/index.js";
import { maskedSoftmax, rowLogSumExp } from "../src/wasm-kernels.js";

const built = nativeAddonPath() !== null && process.env.SCRUB_NATIVE !== "0";
const skip = built ? false : "the native addon is not built here (no C compiler at install, or SCRUB_NATIVE=0)";

before(async () => {
  await initBackend({ quiet: true });
});

test("a built addon is what the wasm backend uses", { skip }, () => {
  assert.match(nativeKernelsInfo() ?? "", /^(avx512|avx2|sse2), \d+ threads?$/);
});

function reference(a: Float32Array, b: Float32Array, batch: number, M: number, K: number, N: number, tA: boolean, tB: boolean, bBatched: boolean): Float64Array {
  const out = new Float64Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const bo = bBatched ? i * K * N : 0;
    for (let m = 0; m < M; m++)
      for (let k = 0; k < K; k++) {
        const av = a[i * M * K + (tA ? k * M + m : m * K + k)];
        for (let n = 0; n < N; n++) out[i * M * N + m * N + n] += av * b[bo + (tB ? n * K + k : k * N + n)];
      }
  }
  return out;
}

test("products across block edges match float64, for every transpose, on 1 and 2 threads alike", { skip }, () => {
  const rng = new Rng(5);
  const before = tf.memory().numTensors;
  for (const [batch, M, K, N, bBatched] of [
    [1, 97, 300, 1100, false],
    [1, 193, 257, 33, false],
    [3, 17, 40, 65, true],
    [2, 1, 1, 1, true],
    [1, 5, 0, 7, false],
  ] as [number, number, number, number, boolean][]) {
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const a = Float32Array.from({ length: batch * M * K }, () => rng.normal());
        const b = Float32Array.from({ length: (bBatched ? batch : 1) * K * N }, () => rng.normal());
        const ta = tf.tensor(a, [batch, tA ? K : M, tA ? M : K]);
        const tb = tf.tensor(b, [bBatched ? batch : 1, tB ? N : K, tB ? K : N]);
        const results = [1, 2].map((threads) => {
          setNativeThreads(threads);
          return tf.tidy(() => tf.matMul(ta, tb, tA, tB).dataSync());
        });
        const want = reference(a, b, batch, M, K, N, tA, tB, bBatched);
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(results[0][i] - want[i]) / Math.sqrt(K + 1));
        assert.ok(err < 1e-5, `${batch}x${M}x${K}x${N} tA=${tA} tB=${tB}: scaled err ${err}`);
        assert.deepEqual(results[1], results[0], `${batch}x${M}x${K}x${N}: thread count changed the result`);
        tf.dispose([ta, tb]);
      }
  }
  setNativeThreads(2);
  assert.equal(tf.memory().numTensors, before);
});

test("log-sum-exp rows and their gradient match float64 over the vocabulary", { skip }, () => {
  const rng = new Rng(9);
  const [rows, cols] = [37, 8193];
  const x = Float32Array.from({ length: rows * cols }, () => rng.normal() * 10 - 2);
  x[5] = -1e4; // masked-score scale: underflows to zero weight, no NaN
  const t = tf.tensor2d(x, [rows, cols]);
  const weights = tf.range(1, rows + 1);
  const got = rowLogSumExp(t).dataSync();
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rowLogSumExp(v as tf.Tensor2D), weights)))(t).dataSync();
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
    const want = m + Math.log(z);
    assert.ok(Math.abs(got[r] - want) < 2e-6 * Math.max(1, Math.abs(want)), `row ${r}: ${got[r]} vs ${want}`);
    for (let j = 0; j < cols; j += 97) {
      const g = ((r + 1) * Math.exp(row[j] - m)) / z;
      assert.ok(Math.abs(grad[r * cols + j] - g) < 1e-6 * (r + 1), `grad row ${r} col ${j}: ${grad[r * cols + j]} vs ${g}`);
    }
  }
  tf.dispose([t, weights]);
});

test("the fused masked softmax equals softmax(x·mult + add), and so does its gradient", { skip }, () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    for (const T of [1, 7, 17, 300]) {
      const { mult, add } = causalMask(T);
      const x = tf.randomNormal([2, 3, T, T], 0, 4, "float32", T);
      const dy = tf.randomNormal([2, 3, T, T], 0, 1, "float32", T + 1);
      const ref = (v: tf.Tensor) => tf.softmax(tf.add(tf.mul(v, mult), add));
      const err = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      assert.ok(err(maskedSoftmax(x, mult, add), ref(x)) < 1e-6, `T=${T}: pattern`);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(v, mult, add), dy)))(x);
      const gRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(ref(v), dy)))(x);
      assert.ok(err(g, gRef) < 1e-5, `T=${T}: gradient`);
    }
  });
  assert.equal(tf.memory().numTensors, before);
});

test("a call whose arrays do not match its sizes throws instead of writing out of bounds", { skip }, () => {
  const addon = createRequire(import.meta.url)(nativeAddonPath()!) as { gemm: (...args: unknown[]) => void; logSumExpRows: (...args: unknown[]) => void };
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => addon.gemm(f(6), f(6), f(3), 1, 1, 2, 3, 2, false, false), /lengths do not match/);
  assert.throws(() => addon.gemm(f(6), f(6), f(4), 2, 3, 1, 3, 2, false, false), /batch sizes/);
  assert.throws(() => addon.gemm([1, 2], f(1), f(1), 1, 1, 1, 1, 1, false, false), /Float32Arrays/);
  assert.throws(() => addon.gemm(f(1), f(1), f(1), 1, 1, -1, 1, 1, false, false), /non-negative/);
  assert.throws(() => addon.logSumExpRows(f(10), f(3), 2, 5), /lengths do not match/);
});

const x86 = process.arch === "x64" || process.arch === "ia32";

test("our kernels flush denormals (Intel runs them ~50x slower) and leave the caller's float mode as it was", { skip: skip || (x86 ? false : "flushing is set up on x86 only") }, () => {
  const before = tf.memory().numTensors;
  for (const threads of [1, 2]) {
    setNativeThreads(threads);
    // [1, 300] of 1e-39 (denormal) @ [300, 8] of ones: IEEE gives 3e-37, denormals-are-zero gives 0.
    const out = tf.tidy(() => tf.matMul(tf.fill([1, 300], 1e-39), tf.ones([300, 8])).dataSync());
    assert.deepEqual([...out], new Array(8).fill(0), `${threads} threads`);
    assert.ok(Math.fround(1e-40) > 0, "the JS thread's own float32 conversions still keep denormals");
    const wasm = tf.tidy(() => tf.mul(tf.scalar(1e-39), tf.scalar(1)).dataSync()[0]);
    assert.ok(wasm > 0, "wasm arithmetic after a native call still keeps denormals");
  }
  setNativeThreads(2);
  assert.equal(tf.memory().numTensors, before);
});
