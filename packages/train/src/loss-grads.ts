/**
 * The training objective through the library's forward pass: mean next-token NLL over every
 * position of the batch, and its gradient with respect to every parameter.
 */
import { forward, HookContext, tf, type ModelConfig, type Params } from "@isc/core";

/**
 * tokens: int32 [B, W]. Returns the loss as a number and the gradients (owned by the caller).
 * tf.valueAndGrads records one tape and runs one backward pass; it needs no tf.Variable, so
 * parameters stay plain tensors that the optimiser replaces after each step.
 */
export async function lossAndGrads(cfg: ModelConfig, params: Params, tokens: tf.Tensor2D): Promise<{ loss: number; grads: Params }> {
  const names = Object.keys(params);
  const f = tf.valueAndGrads((...ws: tf.Tensor[]) => {
    const p: Params = {};
    names.forEach((n, i) => (p[n] = ws[i]));
    return tf.mean(forward(cfg, p, tokens, new HookContext(cfg)).nll) as tf.Scalar; // []
  });
  const { value, grads } = tf.tidy(() => f(names.map((n) => params[n])));
  const loss = ((await value.data()) as Float32Array)[0];
  value.dispose();
  const out: Params = {};
  names.forEach((n, i) => (out[n] = grads[i]));
  return { loss, grads: out };
}
