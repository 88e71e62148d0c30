/**
 * The guard behind the automatic choice of a GPU backend: a renderer string does not catch every slow
 * GPU (an old integrated chip, a remote desktop's virtual one), so the picker times one matMul of the
 * size of a scrub batch's largest (a batch of positions × d_model against the unembedding) on the GPU
 * backend and on wasm, each after a warm-up that compiles its shaders or kernels. The rule: the GPU
 * backend stays only if its best of three is not slower than wasm's.
 */
import * as tf from "@tensorflow/tfjs-core";

const SHAPE = { rows: 512, inner: 256, cols: 2048 };

/** Best of three timed runs of the probe matMul on tfjs' current backend, in ms, after one warm-up. */
export async function probeMs(): Promise<number> {
  const a = tf.randomUniform([SHAPE.rows, SHAPE.inner], -1, 1, "float32", 1);
  const b = tf.randomUniform([SHAPE.inner, SHAPE.cols], -1, 1, "float32", 2);
  let best = Infinity;
  try {
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      if (i > 0) best = Math.min(best, performance.now() - t);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return best;
}

/** Whether the probe says to leave the GPU backend for wasm: a pure rule, tested on its own. */
export function gpuLosesProbe(gpuMs: number, wasmMs: number): boolean {
  return gpuMs > wasmMs;
}

/**
 * Times the probe on the current (GPU) backend, then starts wasm and times it there. Returns the
 * reason to stay on wasm, or undefined after switching back to the GPU backend.
 */
export async function probeFallback(gpu: string, startWasm: () => Promise<boolean>): Promise<{ reason: string } | undefined> {
  const gpuMs = await probeMs();
  if (!(await startWasm())) {
    await tf.setBackend(gpu);
    return undefined;
  }
  const wasmMs = await probeMs();
  if (gpuLosesProbe(gpuMs, wasmMs)) return { reason: `ran a timed probe ${(gpuMs / wasmMs).toFixed(1)}× slower than wasm (${gpuMs.toFixed(0)} ms against ${wasmMs.toFixed(0)} ms)` };
  await tf.setBackend(gpu);
  await tf.ready();
  return undefined;
}
