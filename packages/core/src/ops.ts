/**
 * Two primitives with hand-written gradients, so the same forward pass trains fast on wasm:
 * there, `matMul` with transpose flags and the gather gradient (UnsortedSegmentSum) are slow or
 * missing, while plain 2-D matMul runs at full speed.
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Whether transposed operands cost nothing extra (true once the native kernels, which transpose
 * while packing, run matMul). Otherwise the gradients transpose explicitly, because on plain wasm
 * only the untransposed 2-D product reaches XNNPACK's fast kernel.
 */
let transposeFree = false;
export function setTransposeFreeMatMul(on: boolean): void {
  transposeFree = on;
}

/** a [m, k] @ b [k, n] -> [m, n], with gradients shaped for the fastest matMul kernel at hand. */
export const mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor2D, b as tf.Tensor2D]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      if (transposeFree) return [tf.matMul(g, sb, false, true), tf.matMul(sa, g, true, false)];
      // For a wide b (the unembedding: n = d_vocab >> k = d_model), XNNPACK is ~1.4x faster on
      // (dyᵀ a)ᵀ than on aᵀ dy: its weights operand is then the small [m, k] one.
      const dB = sb.shape[1] > 4 * sb.shape[0] ? tf.transpose(tf.matMul(tf.transpose(g), sa)) : tf.matMul(tf.transpose(sa), g);
      return [tf.matMul(g, tf.transpose(sb)), dB];
    },
  };
}) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** table [V, d] rows at idx [n] -> [n, d]; the gradient scatters back with scatterND (duplicates add). */
export function gatherRows(table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((t, save) => {
    // Saved, not closed over: tensors a gradient only captures are freed before it runs.
    (save as tf.GradSaveFunc)([idx]);
    return {
      value: tf.gather(t as tf.Tensor2D, idx),
      gradFunc: (dy, [i]) => tf.scatterND(tf.expandDims(i, 1), dy as tf.Tensor2D, table.shape),
    };
  });
  return f(table) as tf.Tensor2D;
}
