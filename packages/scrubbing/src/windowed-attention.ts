/**
 * Attention of layer-0 head copies whose input tokens are split by position (docs/semantics.md §5.6),
 * without running the heads once per query position. Query position i of such a copy sees the
 * tokens inside its window [max(i − back, 0), i − back + include) from one set of rows and every
 * other token from another. Its query is wholly on one side (position-split.ts `queryInside`); its
 * keys and values are a per-position mix of two sets, so
 *
 *   score[i, j] = q_i · (j inside i's window ? k_in[j] : k_out[j]) = S_in ⊙ W + S_out ⊙ (1 − W),
 *   z[i] = Σ_j A[i, j] v_mix_i[j] = (A ⊙ W) v_in + (A ⊙ (1 − W)) v_out,          W the 0/1 window matrix,
 *
 * which equals running the head on the explicitly mixed row for each i and keeping row i: exact up to
 * float rounding in the value sum. The scores are selected, not blended (x·1 + y·0 is x for finite y,
 * up to the sign of a zero), so they are the same numbers; tf.where would say so more plainly but is
 * ten times slower on wasm. Causal masking applies as always, whichever side a masked key is on.
 */
import { attentionPattern, attentionScores, type Attended, type CausalMask, maskScores, mixValues, projectOut, type QKV, tf } from "@isc/core";
import { windowMatrix } from "./position-split.js";

/** The window of one split as [T, T] 0/1 matrices: 1 where key j is inside query i's window, and its complement. */
export interface WindowTensors {
  inside: tf.Tensor2D;
  outside: tf.Tensor2D;
}

export function windowTensors(window: { back: number; include: number }, T: number): WindowTensors {
  const inside = tf.tensor2d(Float32Array.from(windowMatrix(window, T)), [T, T]);
  return { inside, outside: tf.sub(1, inside) };
}

/** a where the window holds, b elsewhere: [B, G, T, T]. */
function select(w: WindowTensors, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.mul(a, w.inside), tf.mul(b, w.outside));
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
  const raw = o.outside.k ? select(o.window, rawIn, attentionScores({ q, k: o.outside.k })) : rawIn;
  let pattern = attentionPattern({ raw, mask: o.mask }); // [B, G, Tq, Tk]
  if (o.replacePattern) pattern = o.replacePattern(pattern);
  const z = o.outside.v
    ? (tf.add(
        mixValues({ pattern: tf.mul(pattern, o.window.inside), v: o.inside.v }),
        mixValues({ pattern: tf.mul(pattern, o.window.outside), v: o.outside.v }),
      ) as tf.Tensor4D)
    : mixValues({ pattern, v: o.inside.v }); // [B, T, G, C]
  return { out: projectOut({ z, W_O: o.W_O }), pattern, scores: () => maskScores({ raw, mask: o.mask }) };
}
