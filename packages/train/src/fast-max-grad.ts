/**
 * A faster gradient for tfjs' `Max` kernel, for the trainer's process only.
 *
 * Why: the loss is logsumexp(logits) - logit[label], and tfjs' logSumExp subtracts max(logits)
 * without stopGradient, so backprop also runs Max's gradient, `dy * cast(equal(x, max), float)`.
 * On wasm, a broadcasting comparison ([2400, 8193] against [2400, 1]) takes a slow generic path:
 * ~1.0 s of a ~4 s step at the default shape. `1 - step(max - x)` is the same 0/1 mask
 * (x == max exactly where max - x is 0, and max - x is never negative) built from arithmetic
 * kernels that broadcast fast (~0.05 s), and it multiplies dy by exactly 1 or 0 as before, so the
 * gradients are bit-identical.
 */
import { tf } from "@isc/core";

let tfjsOwn: ReturnType<typeof tf.getGradient> | null = null;

export function installFastMaxGrad(): void {
  if (tfjsOwn) return;
  tfjsOwn = tf.getGradient("Max");
  tf.registerGradient({
    kernelName: "Max",
    inputsToSave: ["x"],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y0] = saved;
      const axes = tf.util.parseAxisParam((attrs as unknown as { reductionIndices: number | number[] }).reductionIndices, x.shape);
      const keep = (t: tf.Tensor) => (t.rank < x.rank ? tf.reshape(t, tf.backend_util.expandShapeToKeepDim(t.shape, axes)) : t);
      const y = keep(y0);
      const d = keep(dy as tf.Tensor);
      return { x: () => tf.mul(d, tf.sub(1, tf.step(tf.sub(y, x)))) };
    },
  });
}

/** Puts tfjs' own Max gradient back (for comparisons). */
export function restoreMaxGrad(): void {
  if (!tfjsOwn) return;
  tf.registerGradient(tfjsOwn);
  tfjsOwn = null;
}
