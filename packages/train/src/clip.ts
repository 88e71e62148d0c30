/** Gradient clipping by global norm: one scale for all gradients, so their direction is kept. */
import { tf, type Params } from "@isc/core";

/**
 * Scales the gradients down to `maxNorm` when their global L2 norm exceeds it. Takes ownership of
 * `grads`; returns the clipped gradients and the norm before clipping (for the log).
 */
export async function clipByGlobalNorm(grads: Params, maxNorm: number): Promise<{ grads: Params; norm: number }> {
  const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))); // []
  const norm = Math.sqrt(((await sq.data()) as Float32Array)[0]);
  sq.dispose();
  if (!(norm > maxNorm)) return { grads, norm }; // also passes NaN through, so the caller can see it
  const scale = maxNorm / norm;
  const out: Params = {};
  for (const [name, g] of Object.entries(grads)) {
    out[name] = tf.mul(g, scale);
    g.dispose();
  }
  return { grads: out, norm };
}
