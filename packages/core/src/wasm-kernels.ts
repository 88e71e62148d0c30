/**
 * Our own SIMD wasm kernels (kernels/batch-matmul.c), registered on tfjs's wasm backend:
 * - BatchMatMul for batched (rank > 2) and transposed products, which tfjs-wasm runs at ~2.5
 *   GFLOP/s against ~30 for a plain 2-D product; attention is made of them, forward and backward.
 *   Plain 2-D products still go to tfjs's XNNPACK kernel, which is faster there.
 * - IscRowLogSumExp, the unembedding's log-sum-exp over the vocabulary in two passes instead of
 *   tfjs's six (max, sub, exp, sum, log, add), with its gradient softmax(x)·dy.
 * - GatherV2 of whole rows, as copies (row-gather.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { BATCH_MATMUL_WASM_BASE64 } from "./batch-matmul-wasm.js";
import { installRowGather } from "./row-gather.js";
import { floatViews, type WasmBackendLike } from "./wasm-heap.js";

interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  bmm(a: number, b: number, c: number, batchA: number, batchB: number, M: number, K: number, N: number, tA: number, tB: number, scratch: number): void;
  logsumexp_rows(x: number, out: number, rows: number, cols: number): void;
}

export const ROW_LOGSUMEXP = "IscRowLogSumExp";
/** softmax(x * mult + add) over the last axis, x [..., T, T'], mult/add [T, T']: the masked attention pattern in one pass. */
export const MASKED_SOFTMAX = "IscMaskedSoftmax";
/** exp(x - y[:, None]) * g[:, None] for x [rows, cols], y, g [rows]: the log-sum-exp gradient, where a backend has it. */
export const SOFTMAX_SCALE = "IscSoftmaxScale";

let installed = false;

export function wasmKernelsInstalled(): boolean {
  return installed;
}

/** What a BatchMatMul call multiplies; null when our kernels do not take it (not float32, or batches that broadcast in 2 dimensions). */
export function matMulDims(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }) {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (a.dtype !== "float32" || b.dtype !== "float32" || !(batchA === batchB || batchA === 1 || batchB === 1)) return null;
  const [ra, rb] = [a.shape.length, b.shape.length];
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  if (K !== Kb) throw new Error(`matMul: inner sizes ${K} and ${Kb} of shapes [${a.shape}] and [${b.shape}] differ`);
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { a, b, batchA, batchB, M, K, N, outer, transposeA, transposeB };
}

/** atob exists in browsers, workers and Node >= 16, so no Buffer is needed. */
function decodeBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Installs the kernels on the wasm backend; returns false if they were already installed. */
export async function installWasmKernels(): Promise<boolean> {
  if (installed) return false;
  const bytes = decodeBase64(BATCH_MATMUL_WASM_BASE64);
  const module = await WebAssembly.compile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const instance = await WebAssembly.instantiate(module);
  const k = instance.exports as unknown as KernelExports;
  const base = (k.heap_base() + 15) & ~15;
  /** Grows our module's memory to hold `bytes` past the heap base. */
  const reserve = (bytes: number) => {
    const have = k.memory.buffer.byteLength;
    if (base + bytes > have) k.memory.grow(Math.ceil((base + bytes - have) / 65536));
  };
  const original = tf.getKernel(tf.BatchMatMul, "wasm");
  if (!original) throw new Error("the wasm backend has no BatchMatMul kernel to replace (is it registered?)");

  const kernelFunc: tf.KernelFunc = (args) => {
    const d = matMulDims(args);
    // Plain 2-D products stay with XNNPACK, faster there than this kernel.
    if (!d || (Math.max(d.batchA, d.batchB) === 1 && !d.transposeA && !d.transposeB)) return original.kernelFunc(args);
    const { a, b, batchA, batchB, M, K, N, outer, transposeA, transposeB } = d;
    const batch = Math.max(batchA, batchB);
    const sizeA = batchA * M * K;
    const sizeB = batchB * K * N;
    const sizeC = batch * M * N;
    const offA = base;
    const offB = offA + 4 * sizeA;
    const offC = offB + 4 * sizeB;
    const offS = offC + 4 * sizeC;
    reserve(offS + 4 * (M * K + K * N) - base);
    const backend = args.backend as unknown as WasmBackendLike;
    // makeOutput may grow tfjs's heap and detach earlier views, so take views after it.
    const out = backend.makeOutput([...outer, M, N], "float32");
    const heap = new Float32Array(k.memory.buffer);
    const [va, vb, vOut] = floatViews(backend, a, b, out);
    heap.set(va, offA / 4);
    heap.set(vb, offB / 4);
    k.bmm(offA, offB, offC, batchA, batchB, M, K, N, transposeA ? 1 : 0, transposeB ? 1 : 0, offS);
    vOut.set(new Float32Array(k.memory.buffer, offC, sizeC));
    return out;
  };
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({ kernelName: tf.BatchMatMul, backendName: "wasm", setupFunc: original.setupFunc, kernelFunc });
  installRowGather();
  tf.registerKernel({
    kernelName: ROW_LOGSUMEXP,
    backendName: "wasm",
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const [rows, cols] = x.shape;
      const backend = args.backend as unknown as WasmBackendLike;
      reserve(4 * (rows * cols + rows));
      const out = backend.makeOutput([rows], "float32");
      const [vx, vOut] = floatViews(backend, x, out);
      new Float32Array(k.memory.buffer).set(vx, base / 4);
      k.logsumexp_rows(base, base + 4 * rows * cols, rows, cols);
      vOut.set(new Float32Array(k.memory.buffer, base + 4 * rows * cols, rows));
      return out;
    },
  });
  installed = true;
  return true;
}

tf.registerGradient({
  kernelName: ROW_LOGSUMEXP,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved; // x [rows, cols], y [rows]
    if (tf.getKernel(SOFTMAX_SCALE, tf.getBackend())) return { x: () => tf.engine().runKernel(SOFTMAX_SCALE, { x, y, g: dy as tf.Tensor }, {}) as tf.Tensor };
    return { x: () => tf.mul(tf.expandDims(dy as tf.Tensor, 1), tf.exp(tf.sub(x, tf.expandDims(y, 1)))) };
  },
});

tf.registerGradient({
  kernelName: MASKED_SOFTMAX,
  inputsToSave: ["mult"],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [mult, y] = saved; // mult [T, T'], y [..., T, T']
    const g = dy as tf.Tensor;
    // softmax's gradient, then the mask's: masked entries got a constant, so no gradient reaches them.
    return { x: () => tf.mul(mult, tf.mul(y, tf.sub(g, tf.sum(tf.mul(g, y), -1, true)))) };
  },
});

/**
 * softmax(x * mult + add) along the last axis: x [..., T, T'], mult and add [T, T'] (the causal
 * mask as Redwood applies it). A fused kernel where the backend has one (the native kernels), else
 * tfjs ops; the same values either way, differentiable either way.
 */
export function maskedSoftmax<R extends tf.Rank>(x: tf.Tensor<R>, mult: tf.Tensor2D, add: tf.Tensor2D): tf.Tensor<R> {
  if (tf.getKernel(MASKED_SOFTMAX, tf.getBackend())) return tf.engine().runKernel(MASKED_SOFTMAX, { x, mult, add }, {}) as tf.Tensor<R>;
  return tf.softmax(tf.add(tf.mul(x, mult), add)) as tf.Tensor<R>;
}

/**
 * log Σ_j exp(x[r, j]) per row: x [rows, cols] -> [rows]. Our kernel on wasm, tfjs's logSumExp
 * elsewhere; differentiable either way.
 */
export function rowLogSumExp(x: tf.Tensor2D): tf.Tensor1D {
  if (installed && tf.getBackend() === "wasm") return tf.engine().runKernel(ROW_LOGSUMEXP, { x }, {}) as tf.Tensor1D;
  return tf.logSumExp(x, 1);
}
