/**
 * Attention of layer-0 head copies whose input tokens are split by position (docs/semantics.md §5.5),
 * without running the heads once per query position. Query position i of such a copy sees the
 * tokens inside its window [max(i − back, 0), i − back + include) from one set of rows and every
 * other token from another. Its query is wholly on one side (position-split.ts `queryInside`); its
 * keys and values are a per-position mix of two sets, so
 *
 *   score[i, j] = q_i · (j inside i's window ? k_in[j] : k_out[j])   one selection between two score matrices,
 *   z[i] = Σ_j A[i, j] v_mix_i[j] = (A ⊙ W) v_in + (A ⊙ (1 − W)) v_out                         W the window matrix,
 *
 * which equals running the head on the explicitly mixed row for each i and keeping row i: exact up to
 * float rounding in the value sum (the scores are selected, not blended, so they are the same numbers).
 * Causal masking applies as always, whichever side a masked key is on.
 */
import { attentionPattern, attentionScores, type Attended, type CausalMask, maskScores, mixValues, projectOut, type QKV, tf } from "@isc/core";
import { windowMatrix } from "./position-split.js";

/** The window of one split as tensors: [T, T] bool (selection) and its 0/1 float complement pair (value mixing). */
export interface WindowTensors {
  inside: tf.Tensor2D; // [T, T] bool
  insideF: tf.Tensor2D; // [T, T] 1 inside
  outsideF: tf.Tensor2D; // [T, T] 1 outside
}

export function windowTensors(window: { back: number; include: number }, T: number): WindowTensors {
  const m = windowMatrix(window, T);
  const insideF = tf.tensor2d(Float32Array.from(m), [T, T]);
  return { inside: tf.tensor2d(m, [T, T], "bool"), insideF, outsideF: tf.sub(1, insideF) };
}

export interface WindowedAttendOptions {
  /** q: the side the query reads; k, v: the inside keys and values. Each [B, T, G, C]. */
  inside: QKV;
  /** The outside keys and values [B, T, G, C]; null where they are the inside ones. */
  outside: { k: tf.Tensor4D | null; v: tf.Tensor4D | null };
  window: WindowTensors;
  W_O: tf.Tensor3D; // [G, C, D]
  mask: CausalMask;
  replacePattern?: (pattern: tf.Tensor4D) => tf.Tensor4D;
}

/** Scores, pattern, mixing and output of G split head copies, as `attend` computes them for unsplit ones. */
export function attendWindowed(o: WindowedAttendOptions): Attended {
  const { q } = o.inside;
  const rawIn = attentionScores({ q, k: o.inside.k }); // [B, G, T, T]
  const raw = o.outside.k ? (tf.where(o.window.inside, rawIn, attentionScores({ q, k: o.outside.k })) as tf.Tensor4D) : rawIn;
  let pattern = attentionPattern({ raw, mask: o.mask }); // [B, G, Tq, Tk]
  if (o.replacePattern) pattern = o.replacePattern(pattern);
  const z = o.outside.v
    ? (tf.add(
        mixValues({ pattern: tf.mul(pattern, o.window.insideF), v: o.inside.v }),
        mixValues({ pattern: tf.mul(pattern, o.window.outsideF), v: o.outside.v }),
      ) as tf.Tensor4D)
    : mixValues({ pattern, v: o.inside.v }); // [B, T, G, C]
  return { out: projectOut({ z, W_O: o.W_O }), pattern, scores: () => maskScores({ raw, mask: o.mask }) };
}
