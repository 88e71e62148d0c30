/** Reading and writing tensors in place in tfjs' wasm heap, for the kernels we register there. */
import * as tf from "@tensorflow/tfjs-core";

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

/**
 * Views of tensors' data in tfjs' wasm heap, all on the heap's current buffer. Two traps:
 * - looking a tensor up moves it in when it lives on another backend (tfjs' DataStorage does that
 *   lazily), which may grow the heap and detach every view taken before: so every tensor is looked
 *   up first, and the views are taken after;
 * - tfjs' typedArrayFromHeap reads emscripten's HEAPU8, which after growth can still be the old,
 *   detached buffer (it is refreshed lazily), so the buffer comes from the memory object itself.
 * Take all of a kernel's views in one call, after its makeOutput.
 */
export function heapViews(backend: WasmBackendLike, ts: readonly tf.TensorInfo[]): (Float32Array | Int32Array)[] {
  const offsets = ts.map((t) => backend.dataIdMap.get(t.dataId).memoryOffset);
  const w = backend.wasm;
  const buffer = (w.wasmMemory ?? w.asm?.memory)?.buffer ?? w.HEAPU8.buffer;
  return ts.map((t, i) => {
    const size = tf.util.sizeFromShape(t.shape);
    if (t.dtype === "float32") return new Float32Array(buffer, offsets[i], size);
    if (t.dtype === "int32") return new Int32Array(buffer, offsets[i], size);
    throw new Error(`heapViews: dtype ${t.dtype} is not handled`);
  });
}

/** heapViews for float32 tensors. */
export function floatViews(backend: WasmBackendLike, ...ts: tf.TensorInfo[]): Float32Array[] {
  return heapViews(backend, ts) as Float32Array[];
}
