/**
 * The original's `transpose_head` option (docs/semantics.md §6): a head's raw attention scores
 * replaced by their transpose, which the authors marked "probably wrong". It is kept as they
 * wrote it, so its results can be compared with theirs; `flipQK` is the transposition they
 * called correct.
 */
import { type CausalMask, tf } from "@isc/core";
import type { ModelModification, PatternReplacement } from "./model-modifications.js";

/**
 * Redwood's `a.attn_scores_raw` already carries the causal mask (q·k/√C · M), and the transpose
 * is taken of that product before −10000·(1 − M) is added: so the causal entries of a row are 0
 * (except the diagonal, which keeps its score) and the future entries get the transposed past
 * scores minus 10000.
 */
export const TRANSPOSED_SCORES: PatternReplacement = {
  id: "transpose-scores",
  // raw [B, G, Tq, Tk] -> (raw·mult)ᵀ + add, transposing the last two axes of each head.
  scores: (raw: tf.Tensor4D, mask: CausalMask) => tf.tidy(() => tf.add(tf.transpose(tf.mul(raw, mask.mult), [0, 1, 3, 2]), mask.add)),
};

/**
 * Transposes the raw scores of `heads` of `layer` in every copy of them (the original matches the
 * head node itself, and rust_circuit's update reaches it on every path).
 */
export function transposeScores(layer: number, heads: readonly number[]): ModelModification {
  return {
    name: `transpose-scores-${heads.map((h) => `${layer}.${h}`).join(",")}`,
    pattern: (_prefix, l, h, part) => (l === layer && heads.includes(h) && part === undefined ? TRANSPOSED_SCORES : null),
  };
}
