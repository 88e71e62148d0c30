/**
 * GatherV2 of whole rows (or slices) along axis 0 of a float32 tensor, as memory copies, on the
 * wasm backend. tfjs-wasm's gather goes element by element: 4,800 embedding rows of 256 took
 * ~60 ms, as long as the 4,800 x 256 x 8,193 unembedding on the native kernels, and gathers were a
 * quarter of a scrub's time. Other gathers (other axes, batch dims, int32 tables) go to tfjs'.
 */
import * as tf from "@tensorflow/tfjs-core";
import { heapViews, type WasmBackendLike } from "./wasm-heap.js";

export function installRowGather(): void {
  const original = tf.getKernel(tf.GatherV2, "wasm");
  if (!original) throw new Error("the wasm backend has no GatherV2 kernel to replace (is it registered?)");
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const rowsOnly = x.dtype === "float32" && x.shape.length >= 2 && indices.dtype === "int32" && (axis === 0 || axis === -x.shape.length) && batchDims === 0;
    if (!rowsOnly) return original.kernelFunc(args);
    const rows = x.shape[0];
    const width = tf.util.sizeFromShape(x.shape.slice(1));
    const backend = args.backend as unknown as WasmBackendLike;
    // Checked before the output exists, so a bad index leaks nothing.
    for (const i of heapViews(backend, [indices])[0]) if (!(i >= 0 && i < rows)) throw new Error(`gather: index ${i} is outside [0, ${rows})`);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], "float32");
    // makeOutput may grow the heap, which detaches every earlier view: take them all afterwards.
    const [table, idx, dst] = heapViews(backend, [x, indices, out]) as [Float32Array, Int32Array, Float32Array];
    for (let r = 0; r < idx.length; r++) dst.set(table.subarray(idx[r] * width, (idx[r] + 1) * width), r * width);
    return out;
  };
  tf.unregisterKernel(tf.GatherV2, "wasm");
  tf.registerKernel({ kernelName: tf.GatherV2, backendName: "wasm", setupFunc: original.setupFunc, kernelFunc });
}
