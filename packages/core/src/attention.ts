/**
 * Attention, as named stages that the hooked forward pass and the treeified scrubbing runner both
 * call: project Q/K/V (with the shortformer rule), scores, pattern, mix values, project out.
 * B = batch, T = positions, D = d_model, G = the heads computed together (all H of a layer in the
 * forward pass; those that share their inputs in a scrub), C = d_head.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BlockHooks } from "./hook-points.js";
import type { HookContext } from "./hooks.js";
import { mm } from "./ops.js";
import type { AttentionParams } from "./params.js";
import { maskedSoftmax } from "./wasm-kernels.js";

/** Redwood's masked score: large and finite, so a fully masked row stays finite. */
export const MASKED_SCORE = -10000;

/** mult [T, T] is 1 where key j <= query i; add [T, T] is MASKED_SCORE elsewhere (scores·mult + add, as Redwood). */
export interface CausalMask {
  mult: tf.Tensor2D;
  add: tf.Tensor2D;
}

export function causalMask(T: number): CausalMask {
  // tidy: the ones and 1 − mult are intermediates, freed even where no caller's tidy is open.
  return tf.tidy(() => {
    const mult = tf.linalg.bandPart(tf.ones([T, T]), -1, 0) as tf.Tensor2D;
    return { mult, add: tf.mul(tf.sub(1, mult), MASKED_SCORE) as tf.Tensor2D };
  });
}

/** The weights of heads `heads` of a layer ([G, …] each), or all of them when `heads` is null. */
export function selectHeads(attn: AttentionParams, heads: readonly number[] | null): AttentionParams {
  if (heads === null) return attn;
  const pick = (w: tf.Tensor3D) => tf.gather(w, heads as number[]);
  return { W_Q: pick(attn.W_Q), W_K: pick(attn.W_K), W_V: pick(attn.W_V), W_O: pick(attn.W_O) };
}

/** W [G, D, C] -> [D, G·C], so all heads project in one 2-D matMul (the fast kernel on wasm). */
export function headsToColumns(w: tf.Tensor3D): tf.Tensor2D {
  const [G, D, C] = w.shape;
  return tf.reshape(tf.transpose(w, [1, 0, 2]), [D, G * C]);
}

/** x [B, T, D] read by every head, W [G, D, C] -> [B, T, G, C]. */
export function projectHeads(o: { x: tf.Tensor3D; W: tf.Tensor3D }): tf.Tensor4D {
  const [B, T, D] = o.x.shape;
  const [G, , C] = o.W.shape;
  return tf.reshape(mm(tf.reshape(o.x, [B * T, D]), headsToColumns(o.W)), [B, T, G, C]);
}

/** x [B, T, G, D] with its own input per head, W [G, D, C] -> [B, T, G, C]. */
export function projectPerHead(o: { x: tf.Tensor4D; W: tf.Tensor3D }): tf.Tensor4D {
  const [B, T, G, D] = o.x.shape;
  const byHead = tf.reshape(tf.transpose(o.x, [2, 0, 1, 3]), [G, B * T, D]); // [G, B·T, D]
  const out = tf.reshape(tf.matMul(byHead, o.W), [G, B, T, o.W.shape[2]]); // [G, B, T, C]
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/** Layer-normed inputs of each slot: [B, T, D] shared by the heads, or [B, T, G, D] one per head. */
export type SlotInput = tf.Tensor3D | tf.Tensor4D;

export interface QKV {
  q: tf.Tensor4D; // [B, T, G, C]
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/**
 * Q, K and V of G heads from their layer-normed inputs. The shortformer rule: positions `pos`
 * [T, D] join the Q and K inputs after LayerNorm, never V's (null for standard positions).
 */
export function projectQKV(o: { inputs: { q: SlotInput; k: SlotInput; v: SlotInput }; W: AttentionParams; pos: tf.Tensor2D | null }): QKV {
  const withPos = new Map<SlotInput, SlotInput>(); // Q and K often read the same input: add positions once
  const positioned = (x: SlotInput): SlotInput => {
    if (!o.pos) return x;
    const known = withPos.get(x);
    if (known) return known;
    const y = (x.rank === 3 ? tf.add(x, o.pos) : tf.add(x, tf.expandDims(o.pos, 1))) as SlotInput; // pos [T, 1, D] per head
    withPos.set(x, y);
    return y;
  };
  const project = (x: SlotInput, W: tf.Tensor3D) => (x.rank === 3 ? projectHeads({ x: x as tf.Tensor3D, W }) : projectPerHead({ x: x as tf.Tensor4D, W }));
  return {
    q: project(positioned(o.inputs.q), o.W.W_Q),
    k: project(positioned(o.inputs.k), o.W.W_K),
    v: project(o.inputs.v, o.W.W_V),
  };
}

/** q, k [B, T, G, C] -> raw scores q·k/√C [B, G, Tq, Tk], before the causal mask. */
export function attentionScores(o: { q: tf.Tensor4D; k: tf.Tensor4D }): tf.Tensor4D {
  const C = o.q.shape[3];
  // 1/√C scales q: 10x fewer elements than the [T, T] scores.
  const qh = tf.transpose(tf.mul(o.q, 1 / Math.sqrt(C)), [0, 2, 1, 3]); // [B, G, T, C]
  const kT = tf.transpose(o.k, [0, 2, 3, 1]); // [B, G, C, T]
  return tf.matMul(qh, kT) as tf.Tensor4D;
}

/** raw [B, G, T, T] -> the masked scores Redwood's model softmaxes: raw·mult + add. */
export function maskScores(o: { raw: tf.Tensor4D; mask: CausalMask }): tf.Tensor4D {
  return tf.add(tf.mul(o.raw, o.mask.mult), o.mask.add);
}

/** raw [B, G, T, T] -> pattern [B, G, Tq, Tk], softmax of the masked scores in one fused pass where the backend has it. */
export function attentionPattern(o: { raw: tf.Tensor4D; mask: CausalMask }): tf.Tensor4D {
  return maskedSoftmax(o.raw, o.mask.mult, o.mask.add);
}

/** pattern [B, G, Tq, Tk], v [B, T, G, C] -> z [B, T, G, C]. */
export function mixValues(o: { pattern: tf.Tensor4D; v: tf.Tensor4D }): tf.Tensor4D {
  const zh = tf.matMul(o.pattern, tf.transpose(o.v, [0, 2, 1, 3])); // [B, G, T, C]
  return tf.transpose(zh, [0, 2, 1, 3]) as tf.Tensor4D;
}

/** z [B, T, G, C], W_O [G, C, D] -> the heads' summed output [B, T, D], as one 2-D matMul. */
export function projectOut(o: { z: tf.Tensor4D; W_O: tf.Tensor3D }): tf.Tensor3D {
  const [B, T, G, C] = o.z.shape;
  const D = o.W_O.shape[2];
  return tf.reshape(mm(tf.reshape(o.z, [B * T, G * C]), tf.reshape(o.W_O, [G * C, D])), [B, T, D]);
}

/** z [B, T, G, C], W_O [G, C, D] -> each head's output [B, T, G, D] (TransformerLens' hook_result). */
export function headResults(o: { z: tf.Tensor4D; W_O: tf.Tensor3D }): tf.Tensor4D {
  const [B, T, G, C] = o.z.shape;
  const D = o.W_O.shape[2];
  const zByHead = tf.reshape(tf.transpose(o.z, [2, 0, 1, 3]), [G, B * T, C]); // [G, B·T, C]
  const perHead = tf.reshape(tf.matMul(zByHead, o.W_O), [G, B, T, D]); // [G, B, T, D]
  return tf.transpose(perHead, [1, 2, 0, 3]) as tf.Tensor4D;
}

export interface AttendOptions extends QKV {
  W_O: tf.Tensor3D; // [G, C, D]
  mask: CausalMask;
  /**
   * The masked scores the heads' softmax reads instead of raw·mult + add, from their raw scores
   * q·k/√C [B, G, Tq, Tk] (model modifications that rewrite scores, e.g. transposing them).
   */
  replaceScores?: (raw: tf.Tensor4D, mask: CausalMask) => tf.Tensor4D;
  /** The pattern the heads use instead of their own (model modifications). */
  replacePattern?: (pattern: tf.Tensor4D) => tf.Tensor4D;
  /** The forward pass's hook points; a scrub has none. */
  hooks?: { ctx: HookContext; names: BlockHooks["attn"] };
}

export interface Attended {
  /** [B, T, D], the heads' summed output. */
  out: tf.Tensor3D;
  /** [B, G, Tq, Tk]. */
  pattern: tf.Tensor4D;
  /** The masked scores [B, G, Tq, Tk], formed only when asked for. */
  scores: () => tf.Tensor4D;
}

/** Scores, pattern, mixing and output of G heads from their Q, K, V. */
export function attend(o: AttendOptions): Attended {
  const point = <X extends tf.Tensor>(name: keyof BlockHooks["attn"], x: X): X => (o.hooks ? o.hooks.ctx.point(o.hooks.names[name], x) : x);
  const active = (name: keyof BlockHooks["attn"]) => o.hooks?.ctx.active(o.hooks.names[name]) ?? false;
  const raw = attentionScores(o);
  let scores: tf.Tensor4D | null = null;
  let pattern: tf.Tensor4D;
  if (o.replaceScores) {
    scores = point("attn_scores", o.replaceScores(raw, o.mask));
    pattern = tf.softmax(scores);
  } else if (active("attn_scores")) {
    scores = point("attn_scores", maskScores({ raw, mask: o.mask }));
    pattern = tf.softmax(scores);
  } else {
    pattern = attentionPattern({ raw, mask: o.mask });
  }
  if (o.replacePattern) pattern = o.replacePattern(pattern);
  pattern = point("pattern", pattern);
  const z = point("z", mixValues({ pattern, v: o.v }));
  const out = active("result") ? tf.sum(point("result", headResults({ z, W_O: o.W_O })), 2) : projectOut({ z, W_O: o.W_O });
  return { out: out as tf.Tensor3D, pattern, scores: () => scores ?? maskScores({ raw, mask: o.mask }) };
}
