/**
 * The hooked forward pass of an attention-only transformer (docs/semantics.md §2.2), composed of
 * the stages in embed.ts, layer-norm.ts, attention.ts and unembed.ts; every activation passes the
 * hook point named in hook-points.ts. B = batch, T = loss positions (rows are T + 1 tokens),
 * D = d_model, H = n_heads, C = d_head, V = d_vocab. Call inside `tf.tidy`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { attend, type CausalMask, causalMask, projectQKV, type QKV, type SlotInput } from "./attention.js";
import type { ModelConfig } from "./config.js";
import { embedTokens, positionEmbed, residualStart, splitRows } from "./embed.js";
import { blockHooks, EMBED_HOOK, LN_FINAL_HOOKS, LOGITS_HOOK, POS_EMBED_HOOK } from "./hook-points.js";
import type { HookContext } from "./hooks.js";
import { layerNorm } from "./layer-norm.js";
import { type BlockParams, type Params, paramTree } from "./params.js";
import { nllFromLogits, unembed, unembedNll } from "./unembed.js";

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
  const w = paramTree(cfg, p);
  const { ids, labels } = splitRows(tokens); // [B, T] each
  const T = ids.shape[1];
  const embed = ctx.point(EMBED_HOOK, embedTokens({ W_E: w.embed.W_E, ids })); // [B, T, D]
  const pos = ctx.point(POS_EMBED_HOOK, positionEmbed({ W_pos: w.pos_embed.W_pos, T })); // [T, D]
  let resid = residualStart({ embed, pos, positional: cfg.positional_embedding_type }); // [B, T, D]
  const mask = causalMask(T);
  for (let l = 0; l < cfg.n_layers; l++) {
    const hooks = blockHooks(l);
    resid = ctx.point(hooks.resid_pre, resid);
    const attnOut = ctx.point(hooks.attn_out, attentionLayer({ cfg, block: w.blocks[l], layer: l, resid, pos, mask, ctx })); // [B, T, D]
    resid = ctx.point(hooks.resid_post, tf.add(resid, attnOut));
  }
  const final = layerNorm(resid, { ln: w.ln_final, eps: cfg.eps, hooks: { ctx, names: LN_FINAL_HOOKS } }); // [B, T, D]
  if (options.returnLogits || ctx.active(LOGITS_HOOK)) {
    const logits = ctx.point(LOGITS_HOOK, unembed({ final, W_U: w.unembed.W_U })); // [B, T, V]
    return { nll: nllFromLogits({ logits, labels }), logits: options.returnLogits ? logits : undefined };
  }
  return { nll: unembedNll({ final, W_U: w.unembed.W_U, labels }) };
}

interface LayerInput {
  cfg: ModelConfig;
  block: BlockParams;
  layer: number;
  resid: tf.Tensor3D; // [B, T, D]
  pos: tf.Tensor2D; // [T, D]
  mask: CausalMask;
  ctx: HookContext;
}

/** One attention layer: its heads' summed output [B, T, D]. */
function attentionLayer(o: LayerInput): tf.Tensor3D {
  const names = blockHooks(o.layer);
  const pos = o.cfg.positional_embedding_type === "shortformer" ? o.pos : null;
  let { q, k, v }: QKV = projectQKV({ inputs: slotInputs(o), W: o.block.attn, pos }); // each [B, T, H, C]
  q = o.ctx.point(names.attn.q, q);
  k = o.ctx.point(names.attn.k, k);
  v = o.ctx.point(names.attn.v, v);
  return attend({ q, k, v, W_O: o.block.attn.W_O, mask: o.mask, hooks: { ctx: o.ctx, names: names.attn } }).out;
}

/**
 * The layer-normed input of each slot: one [B, T, D] for all, or, when a hook reads or writes the
 * per-head inputs, [B, T, H, D] per slot (what a treeified model feeds each head's Q, K and V).
 */
function slotInputs(o: LayerInput): { q: SlotInput; k: SlotInput; v: SlotInput } {
  const names = blockHooks(o.layer);
  const ln = { ln: o.block.ln1, eps: o.cfg.eps };
  const perSlot = [names.q_input, names.k_input, names.v_input];
  if (!perSlot.some((n) => o.ctx.active(n))) {
    const n = layerNorm(o.resid, { ...ln, hooks: { ctx: o.ctx, names: names.ln1 } });
    return { q: n, k: n, v: n };
  }
  const [q, k, v] = perSlot.map((name) => {
    const perHead = o.ctx.point(name, tf.tile(tf.expandDims(o.resid, 2), [1, 1, o.cfg.n_heads, 1]) as tf.Tensor4D); // [B, T, H, D]
    return layerNorm(perHead, ln);
  });
  return { q, k, v };
}
