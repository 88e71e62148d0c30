/** LayerNorm as Redwood's and TransformerLens' models compute it. */
import * as tf from "@tensorflow/tfjs-core";
import type { LayerNormHooks } from "./hook-points.js";
import type { HookContext } from "./hooks.js";
import type { LayerNormParams } from "./params.js";

export interface LayerNormOptions {
  /** null: the model has no LayerNorm, and x passes unchanged. */
  ln: LayerNormParams | null;
  eps: number;
  /** Hook points for the scale and the output; none where the input is a per-head copy. */
  hooks?: { ctx: HookContext; names: LayerNormHooks };
}

/** x [..., D] -> normalised over the last axis with the population variance, then w·x + b. */
export function layerNorm<R extends tf.Rank>(x: tf.Tensor<R>, o: LayerNormOptions): tf.Tensor<R> {
  if (o.ln === null) return x;
  const centred = tf.sub(x, tf.mean(x, -1, true));
  let scale = tf.sqrt(tf.add(tf.mean(tf.square(centred), -1, true), o.eps)); // [..., 1]
  if (o.hooks) scale = o.hooks.ctx.point(o.hooks.names.scale, scale);
  const normalized = tf.add(tf.mul(tf.div(centred, scale), o.ln.w), o.ln.b) as tf.Tensor<R>;
  return o.hooks ? o.hooks.ctx.point(o.hooks.names.normalized, normalized) : normalized;
}
