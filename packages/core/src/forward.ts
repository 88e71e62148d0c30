/**
 * The forward pass of an attention-only transformer, as plain functions over tfjs-core ops
 * (docs/semantics.md §2.2). B = batch, T = loss positions (rows are T + 1 tokens), D = d_model,
 * H = n_heads, C = d_head, V = d_vocab. Call inside `tf.tidy`; every activation passes a hook point.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import type { HookContext } from "./hooks.js";
import { gatherRows, mm } from "./ops.js";
import { maskedSoftmax, rowLogSumExp } from "./wasm-kernels.js";
import type { Params } from "./params.js";

/** Redwood's masked score: large and finite, so a fully masked row stays finite. */
export const MASKED_SCORE = -10000;

export interface ForwardResult {
  /** [B, T] per-token negative log-likelihood of row[t + 1]. */
  nll: tf.Tensor2D;
  /** [B, T, V], only when asked for. */
  logits?: tf.Tensor3D;
}

export function forward(
  cfg: ModelConfig,
  p: Params,
  tokens: tf.Tensor2D, // [B, T+1] int32
  ctx: HookContext,
  options: { returnLogits?: boolean } = {},
): ForwardResult {
  const [B, W] = tokens.shape;
  const T = W - 1;
  const input = tf.slice(tokens, [0, 0], [B, T]); // [B, T]
  const labels = tf.reshape(tf.slice(tokens, [0, 1], [B, T]), [B * T]); // [B*T]

  const embed = ctx.point("hook_embed", tf.reshape(gatherRows(p["embed.W_E"] as tf.Tensor2D, tf.reshape(input, [B * T])), [B, T, cfg.d_model])); // [B, T, D]
  const pos = ctx.point("hook_pos_embed", tf.slice(p["pos_embed.W_pos"], [0, 0], [T, cfg.d_model]) as tf.Tensor2D); // [T, D]
  let resid = (cfg.positional_embedding_type === "standard" ? tf.add(embed, pos) : embed) as tf.Tensor3D; // [B, T, D]

  const { mult, add } = causalMask(T);
  for (let l = 0; l < cfg.n_layers; l++) {
    resid = ctx.point(`blocks.${l}.hook_resid_pre`, resid);
    const attnOut = attention(cfg, p, l, resid, pos, mult, add, ctx); // [B, T, D]
    resid = ctx.point(`blocks.${l}.hook_resid_post`, tf.add(resid, attnOut) as tf.Tensor3D);
  }

  const final = layerNorm(cfg, p, "ln_final", resid, ctx); // [B, T, D]
  const final2d = tf.reshape(final, [B * T, cfg.d_model]) as tf.Tensor2D; // [B*T, D]
  if (options.returnLogits || ctx.active("hook_logits")) {
    const logits = ctx.point("hook_logits", tf.reshape(mm(final2d, p["unembed.W_U"] as tf.Tensor2D), [B, T, cfg.d_vocab]) as tf.Tensor3D); // [B, T, V]
    const nll = nllFromLogits(tf.reshape(logits, [B * T, cfg.d_vocab]) as tf.Tensor2D, labels as tf.Tensor1D);
    return { nll: tf.reshape(nll, [B, T]), logits: options.returnLogits ? logits : undefined };
  }
  return { nll: tf.reshape(chunkedNll(final2d, p["unembed.W_U"] as tf.Tensor2D, labels as tf.Tensor1D), [B, T]) };
}

/** mult [T, T] is 1 where key j <= query i; add [T, T] is MASKED_SCORE elsewhere (scores*mult + add, as Redwood). */
export function causalMask(T: number): { mult: tf.Tensor2D; add: tf.Tensor2D } {
  const mult = tf.linalg.bandPart(tf.ones([T, T]), -1, 0) as tf.Tensor2D;
  return { mult, add: tf.mul(tf.sub(1, mult), MASKED_SCORE) };
}

/** LayerNorm over the last axis with population variance; identity when the model has none. */
export function layerNorm<R extends tf.Rank>(cfg: ModelConfig, p: Params, name: string, x: tf.Tensor<R>, ctx: HookContext | null): tf.Tensor<R> {
  if (cfg.normalization_type === null) return x;
  const centred = tf.sub(x, tf.mean(x, -1, true));
  let scale = tf.sqrt(tf.add(tf.mean(tf.square(centred), -1, true), cfg.eps)); // [..., 1]
  if (ctx) scale = ctx.point(`${name}.hook_scale`, scale);
  const normalized = tf.add(tf.mul(tf.div(centred, scale), p[`${name}.w`]), p[`${name}.b`]) as tf.Tensor<R>;
  return ctx ? ctx.point(`${name}.hook_normalized`, normalized) : normalized;
}

function attention(
  cfg: ModelConfig,
  p: Params,
  l: number,
  resid: tf.Tensor3D, // [B, T, D]
  pos: tf.Tensor2D, // [T, D]
  mult: tf.Tensor2D,
  add: tf.Tensor2D,
  ctx: HookContext,
): tf.Tensor3D {
  const [B, T, D] = resid.shape;
  const { n_heads: H, d_head: C } = cfg;
  const b = `blocks.${l}`;
  const shortformer = cfg.positional_embedding_type === "shortformer";
  const W = (n: string) => p[`${b}.attn.${n}`] as tf.Tensor3D;
  let q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D; // each [B, T, H, C]

  if (["q", "k", "v"].some((s) => ctx.active(`${b}.hook_${s}_input`))) {
    // Per-head, per-slot residuals: what a treeified model feeds each head's Q, K and V.
    const slot = (s: "q" | "k" | "v", w: tf.Tensor3D) => {
      const perHead = ctx.point(`${b}.hook_${s}_input`, tf.tile(tf.expandDims(resid, 2), [1, 1, H, 1]) as tf.Tensor4D); // [B, T, H, D]
      let x = layerNorm(cfg, p, `${b}.ln1`, perHead, null);
      if (shortformer && s !== "v") x = tf.add(x, tf.expandDims(pos, 1)); // pos [T, 1, D]
      return perHeadProject(x, w);
    };
    q = slot("q", W("W_Q"));
    k = slot("k", W("W_K"));
    v = slot("v", W("W_V"));
  } else {
    const n = layerNorm(cfg, p, `${b}.ln1`, resid, ctx); // [B, T, D]
    const qkIn = tf.reshape(shortformer ? tf.add(n, pos) : n, [B * T, D]) as tf.Tensor2D;
    const vIn = tf.reshape(n, [B * T, D]) as tf.Tensor2D;
    const project = (x: tf.Tensor2D, w: tf.Tensor3D) => tf.reshape(mm(x, headsToColumns(w)), [B, T, H, C]) as tf.Tensor4D;
    q = project(qkIn, W("W_Q"));
    k = project(qkIn, W("W_K"));
    v = project(vIn, W("W_V"));
  }
  q = ctx.point(`${b}.attn.hook_q`, q);
  k = ctx.point(`${b}.attn.hook_k`, k);
  v = ctx.point(`${b}.attn.hook_v`, v);
  return ctx.point(`${b}.hook_attn_out`, attendQKV(cfg, p, l, null, q, k, v, mult, add, ctx).out);
}

/**
 * Scores, pattern, mixing and output projection for a set of heads of layer l (all when `heads`
 * is null) given their q, k, v [B, T, G, C]. The treeified scrubbing runner calls it on groups of
 * heads that see the same inputs; `overridePattern` replaces the pattern (model modifications).
 */
export function attendQKV(
  cfg: ModelConfig,
  p: Params,
  l: number,
  heads: number[] | null,
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mult: tf.Tensor2D,
  add: tf.Tensor2D,
  ctx: HookContext | null,
  overridePattern?: (pattern: tf.Tensor4D) => tf.Tensor4D,
): { out: tf.Tensor3D; scores: () => tf.Tensor4D; pattern: tf.Tensor4D } {
  const [B, T, G, C] = q.shape;
  const D = cfg.d_model;
  const b = `blocks.${l}`;
  const point = <X extends tf.Tensor>(name: string, x: X): X => (ctx ? ctx.point(`${b}.attn.${name}`, x) : x);
  // 1/sqrt(C) scales q, 10x fewer elements than the [T, T] scores.
  const qh = tf.transpose(tf.mul(q, 1 / Math.sqrt(C)), [0, 2, 1, 3]); // [B, G, T, C]
  const kT = tf.transpose(k, [0, 2, 3, 1]); // [B, G, C, T]
  const raw = tf.matMul(qh, kT) as tf.Tensor4D; // [B, G, T, T]
  const masked = () => tf.add(tf.mul(raw, mult), add) as tf.Tensor4D;
  let scores: tf.Tensor4D | null = null;
  let pattern: tf.Tensor4D; // [B, G, Tq, Tk]
  if (ctx?.active(`${b}.attn.hook_attn_scores`)) {
    scores = point("hook_attn_scores", masked());
    pattern = tf.softmax(scores);
  } else {
    pattern = maskedSoftmax(raw, mult, add); // one fused pass where the backend has it
  }
  if (overridePattern) pattern = overridePattern(pattern);
  pattern = point("hook_pattern", pattern);
  const zh = tf.matMul(pattern, tf.transpose(v, [0, 2, 1, 3])); // [B, G, T, C]
  const z = point("hook_z", tf.transpose(zh, [0, 2, 1, 3]) as tf.Tensor4D); // [B, T, G, C]
  let W_O = p[`${b}.attn.W_O`] as tf.Tensor3D; // [H, C, D]
  if (heads) W_O = tf.gather(W_O, heads) as tf.Tensor3D; // [G, C, D]
  let out: tf.Tensor3D;
  if (ctx?.active(`${b}.attn.hook_result`)) {
    const zByHead = tf.reshape(tf.transpose(z, [2, 0, 1, 3]), [G, B * T, C]); // [G, B*T, C]
    const perHead = tf.reshape(tf.matMul(zByHead, W_O), [G, B, T, D]); // [G, B, T, D]
    const result = point("hook_result", tf.transpose(perHead, [1, 2, 0, 3]) as tf.Tensor4D); // [B, T, G, D]
    out = tf.sum(result, 2) as tf.Tensor3D;
  } else {
    out = tf.reshape(mm(tf.reshape(z, [B * T, G * C]) as tf.Tensor2D, tf.reshape(W_O, [G * C, D]) as tf.Tensor2D), [B, T, D]) as tf.Tensor3D;
  }
  return { out, scores: () => scores ?? masked(), pattern };
}

/** W [H, D, C] -> [D, H*C], so all heads project in one 2-D matMul (the fast kernel on wasm). */
export function headsToColumns(w: tf.Tensor3D): tf.Tensor2D {
  const [H, D, C] = w.shape;
  return tf.reshape(tf.transpose(w, [1, 0, 2]), [D, H * C]) as tf.Tensor2D;
}

/** x [B, T, H, D] with its own input per head, W [H, D, C] -> [B, T, H, C]. */
export function perHeadProject(x: tf.Tensor4D, w: tf.Tensor3D): tf.Tensor4D {
  const [B, T, H, D] = x.shape;
  const byHead = tf.reshape(tf.transpose(x, [2, 0, 1, 3]), [H, B * T, D]); // [H, B*T, D]
  const out = tf.reshape(tf.matMul(byHead, w), [H, B, T, w.shape[2]]); // [H, B, T, C]
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/** logits [N, V], labels [N] -> nll [N] = logsumexp(logits) - logits[label]. */
function nllFromLogits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const picked = tf.sum(tf.mul(logits, tf.oneHot(labels, logits.shape[1])), 1);
  return tf.sub(rowLogSumExp(logits), picked) as tf.Tensor1D;
}

/** Bounds the live logits to about 2^24 floats (64 MB) whatever the batch: [N, V] never exists at once. */
const MAX_LOGIT_ELEMENTS = 2 ** 24;

export function chunkedNll(final2d: tf.Tensor2D, wU: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const [N, D] = final2d.shape;
  const V = wU.shape[1];
  const rows = Math.max(1, Math.floor(MAX_LOGIT_ELEMENTS / V));
  // The label logit is a dot product with one column of W_U: [N, D] work instead of a one-hot [N, V].
  const wUrows = tf.transpose(wU) as tf.Tensor2D; // [V, D]
  const parts: tf.Tensor1D[] = [];
  for (let start = 0; start < N; start += rows) {
    const n = Math.min(rows, N - start);
    const x = tf.slice(final2d, [start, 0], [n, D]) as tf.Tensor2D; // [n, D]
    const lab = tf.slice(labels, [start], [n]); // [n]
    const lse = rowLogSumExp(mm(x, wU)); // [n]
    const picked = tf.sum(tf.mul(x, gatherRows(wUrows, lab)), 1); // [n]
    parts.push(tf.sub(lse, picked) as tf.Tensor1D);
  }
  return parts.length === 1 ? parts[0] : (tf.concat(parts) as tf.Tensor1D);
}
