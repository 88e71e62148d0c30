/**
 * Every hook point's name, written once (TransformerLens' names). The forward pass takes its names
 * from here and `hookNames` lists them, in the order a block's fields are declared, which is the
 * order the forward pass reaches them.
 */
import type { ModelConfig } from "./config.js";

export interface LayerNormHooks {
  scale: string;
  normalized: string;
}

export interface BlockHooks {
  resid_pre: string;
  /** Per-head copies of the residual feeding each slot: what a treeified model gives each head. */
  q_input: string;
  k_input: string;
  v_input: string;
  ln1: LayerNormHooks;
  attn: { q: string; k: string; v: string; attn_scores: string; pattern: string; z: string; result: string };
  attn_out: string;
  resid_post: string;
}

export const EMBED_HOOK = "hook_embed";
export const POS_EMBED_HOOK = "hook_pos_embed";
export const LOGITS_HOOK = "hook_logits";

export function layerNormHooks(name: string): LayerNormHooks {
  return { scale: `${name}.hook_scale`, normalized: `${name}.hook_normalized` };
}

export const LN_FINAL_HOOKS: LayerNormHooks = layerNormHooks("ln_final");

export function blockHooks(layer: number): BlockHooks {
  const b = `blocks.${layer}`;
  const attn = (n: string) => `${b}.attn.hook_${n}`;
  return {
    resid_pre: `${b}.hook_resid_pre`,
    q_input: `${b}.hook_q_input`,
    k_input: `${b}.hook_k_input`,
    v_input: `${b}.hook_v_input`,
    ln1: layerNormHooks(`${b}.ln1`),
    attn: { q: attn("q"), k: attn("k"), v: attn("v"), attn_scores: attn("attn_scores"), pattern: attn("pattern"), z: attn("z"), result: attn("result") },
    attn_out: `${b}.hook_attn_out`,
    resid_post: `${b}.hook_resid_post`,
  };
}

/** All hook names of a model, in the order the forward pass reaches them. */
export function hookNames(c: ModelConfig): string[] {
  const withLn = c.normalization_type === "LN";
  const ln = (h: LayerNormHooks) => (withLn ? [h.scale, h.normalized] : []);
  const names = [EMBED_HOOK, POS_EMBED_HOOK];
  for (let l = 0; l < c.n_layers; l++) {
    const h = blockHooks(l);
    names.push(h.resid_pre, h.q_input, h.k_input, h.v_input, ...ln(h.ln1), ...Object.values(h.attn), h.attn_out, h.resid_post);
  }
  return [...names, ...ln(LN_FINAL_HOOKS), LOGITS_HOOK];
}
