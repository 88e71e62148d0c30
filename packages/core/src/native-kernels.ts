/**
 * Optional native kernels for the wasm backend (packages/core/native, built at install when a C
 * compiler is present): matMul for every float32 product, and the unembedding's log-sum-exp and its
 * gradient, on all cores with the CPU's widest vectors. They read and write tfjs' wasm heap in
 * place. The wasm backend alone runs one thread of 128-bit SIMD; these are what let a 2-core
 * machine keep up with PyTorch + OpenBLAS. `SCRUB_NATIVE=0` turns them off, `SCRUB_THREADS=n` sets
 * the thread count (default: one per CPU). Node only.
 */
import * as tf from "@tensorflow/tfjs-core";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.js";
import { setTransposeFreeMatMul } from "./ops.js";
import { floatViews, type WasmBackendLike } from "./wasm-heap.js";
import { MASKED_SOFTMAX, matMulDims, ROW_LOGSUMEXP, SOFTMAX_SCALE } from "./wasm-kernels.js";

interface NativeAddon {
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batchA: number, batchB: number, M: number, K: number, N: number, tA: boolean, tB: boolean): void;
  logSumExpRows(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  maskedSoftmax(x: Float32Array, mult: Float32Array, add: Float32Array, out: Float32Array, rows: number, cols: number, maskRows: number): void;
  softmaxScaleRows(x: Float32Array, y: Float32Array, g: Float32Array, out: Float32Array, rows: number, cols: number): void;
  setThreads(n: number): number;
  info(): { isa: string; threads: number };
}

/** Where build.mjs puts the addon, relative to this file (src/ or dist/src/). */
function addonPath(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ["../native/build/isc_native.node", "../../native/build/isc_native.node"]) {
    const p = path.resolve(here, rel);
    if (existsSync(p)) return p;
  }
  return null;
}

let addon: NativeAddon | null = null;

/** "avx512, 2 threads", or null when the native kernels are not installed. */
export function nativeKernelsInfo(): string | null {
  if (!addon) return null;
  const { isa, threads } = addon.info();
  return `${isa}, ${threads} thread${threads === 1 ? "" : "s"}`;
}

/** Sets the native kernels' thread count (results do not depend on it); returns the count in use. */
export function setNativeThreads(n: number): number {
  if (!addon) throw new Error("the native kernels are not installed");
  if (!Number.isInteger(n) || n < 1) throw new Error(`thread count must be a positive integer, got ${n}`);
  return addon.setThreads(n);
}

/** The path the addon is loaded from, or null when it has not been built. */
export function nativeAddonPath(): string | null {
  return addonPath();
}

/**
 * Loads the addon and registers its kernels on the wasm backend. Returns why not when it cannot
 * (not built, other CPU architecture, turned off), so the caller can say which kernels run.
 */
export function installNativeKernels(): { ok: true } | { ok: false; why: string } {
  if (addon) return { ok: true };
  if (process.env.SCRUB_NATIVE === "0") return { ok: false, why: "SCRUB_NATIVE=0" };
  const file = addonPath();
  if (!file) return { ok: false, why: "not built (no C compiler at install?)" };
  let loaded: NativeAddon;
  try {
    loaded = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    return { ok: false, why: `${path.basename(file)} does not load: ${(e as Error).message.split("\n")[0]}` };
  }
  applyThreadSetting(loaded);
  const original = tf.getKernel(tf.BatchMatMul, "wasm");
  if (!original) return { ok: false, why: "the wasm backend has no BatchMatMul kernel to replace" };
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({ kernelName: tf.BatchMatMul, backendName: "wasm", setupFunc: original.setupFunc, kernelFunc: nativeMatMul(loaded, original) });
  for (const config of rowKernels(loaded)) {
    if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
  }
  setTransposeFreeMatMul(true);
  addon = loaded;
  return { ok: true };
}

/** SCRUB_THREADS=n, when set. */
function applyThreadSetting(loaded: NativeAddon): void {
  const threads = process.env.SCRUB_THREADS;
  if (threads === undefined || threads === "") return;
  const n = Number(threads);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`SCRUB_THREADS=${threads} is not a positive integer`);
  loaded.setThreads(n);
}

/** BatchMatMul through the addon's gemm; shapes it does not take go to the original kernel. */
function nativeMatMul(loaded: NativeAddon, original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const d = matMulDims(args);
    if (!d) return original.kernelFunc(args);
    const { a, b, batchA, batchB, M, K, N, outer, transposeA, transposeB } = d;
    const backend = args.backend as unknown as WasmBackendLike;
    // makeOutput may grow the wasm heap, which detaches earlier views: take the views after it.
    const out = backend.makeOutput([...outer, M, N], "float32");
    const [va, vb, vOut] = floatViews(backend, a, b, out);
    loaded.gemm(va, vb, vOut, batchA, batchB, M, K, N, transposeA, transposeB);
    return out;
  };
}

/** The row-wise kernels of wasm-kernels.ts (log-sum-exp, softmax gradient, masked softmax), natively. */
function rowKernels(loaded: NativeAddon): tf.KernelConfig[] {
  const wasm = (args: { backend: unknown }) => args.backend as WasmBackendLike;
  const logSumExp: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const [rows, cols] = x.shape;
    const out = wasm(args).makeOutput([rows], "float32");
    const [vx, vOut] = floatViews(wasm(args), x, out);
    loaded.logSumExpRows(vx, vOut, rows, cols);
    return out;
  };
  const softmaxScale: tf.KernelFunc = (args) => {
    const { x, y, g } = args.inputs as { x: tf.TensorInfo; y: tf.TensorInfo; g: tf.TensorInfo };
    const [rows, cols] = x.shape;
    const out = wasm(args).makeOutput([rows, cols], "float32");
    const [vx, vy, vg, vOut] = floatViews(wasm(args), x, y, g, out);
    loaded.softmaxScaleRows(vx, vy, vg, vOut, rows, cols);
    return out;
  };
  const maskedSoftmax: tf.KernelFunc = (args) => {
    const { x, mult, add } = args.inputs as { x: tf.TensorInfo; mult: tf.TensorInfo; add: tf.TensorInfo };
    const cols = x.shape[x.shape.length - 1];
    if (mult.shape.length !== 2 || mult.shape[1] !== cols || add.shape.join() !== mult.shape.join() || x.shape[x.shape.length - 2] !== mult.shape[0]) {
      throw new Error(`maskedSoftmax: mask [${mult.shape}] / [${add.shape}] does not fit scores [${x.shape}]`);
    }
    const out = wasm(args).makeOutput(x.shape, "float32");
    const [vx, vMult, vAdd, vOut] = floatViews(wasm(args), x, mult, add, out);
    loaded.maskedSoftmax(vx, vMult, vAdd, vOut, tf.util.sizeFromShape(x.shape) / cols, cols, mult.shape[0]);
    return out;
  };
  return [
    { kernelName: ROW_LOGSUMEXP, backendName: "wasm", kernelFunc: logSumExp },
    { kernelName: SOFTMAX_SCALE, backendName: "wasm", kernelFunc: softmaxScale },
    { kernelName: MASKED_SOFTMAX, backendName: "wasm", kernelFunc: maskedSoftmax },
  ];
}
