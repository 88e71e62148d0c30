/**
 * Configuration of an attention-only transformer, with TransformerLens' field names so a
 * TransformerLens `config.json` (e.g. `redwood_attn_2l`) loads as it is.
 */
import { FormatError } from "./errors.js";
export interface ModelConfig {
  n_layers: number;
  d_model: number;
  n_heads: number;
  d_head: number;
  d_vocab: number;
  /** Rows of `n_ctx + 1` tokens are the longest input: `n_ctx` loss positions. */
  n_ctx: number;
  /** "shortformer": positions are added after LayerNorm to the Q and K inputs only, never to the residual. */
  positional_embedding_type: "shortformer" | "standard";
  normalization_type: "LN" | null;
  eps: number;
}

/** Redwood's `attention_only_two_layers_untied` (docs/semantics.md §2.1; HF `redwood_attn_2l`). */
export const REDWOOD_ATTN_2L: Readonly<ModelConfig> = Object.freeze({
  n_layers: 2,
  d_model: 256,
  n_heads: 8,
  d_head: 32,
  d_vocab: 50259,
  n_ctx: 2048,
  positional_embedding_type: "shortformer",
  normalization_type: "LN",
  eps: 1e-5,
});

/** The same architecture on GPT-2 BPE truncated to 8192 ids plus `[BEGIN]`: the default model's shape. */
export const DEFAULT_ATTN_2L: Readonly<ModelConfig> = Object.freeze({
  ...REDWOOD_ATTN_2L,
  d_vocab: 8193,
  n_ctx: 301,
});

/** Small enough for hand-checkable unit tests that run in milliseconds. */
export const TINY_ATTN_2L: Readonly<ModelConfig> = Object.freeze({
  n_layers: 2,
  d_model: 16,
  n_heads: 2,
  d_head: 8,
  d_vocab: 50,
  n_ctx: 20,
  positional_embedding_type: "shortformer",
  normalization_type: "LN",
  eps: 1e-5,
});

export class ConfigError extends FormatError {
  override name = "ConfigError";
}

const INTEGER_FIELDS = ["n_layers", "d_model", "n_heads", "d_head", "d_vocab", "n_ctx"] as const;

/**
 * Checks a parsed config (for example a `config.json`) field by field. Unknown TransformerLens
 * fields are ignored, but an MLP or attention bias would silently change the model, so those are refused.
 */
export function parseConfig(raw: unknown): ModelConfig {
  if (typeof raw !== "object" || raw === null) throw new ConfigError("config must be a JSON object");
  const r = raw as Record<string, unknown>;
  for (const f of INTEGER_FIELDS) {
    const v = r[f];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new ConfigError(`config.${f} must be a positive integer, found ${JSON.stringify(v)}`);
    }
  }
  const pos = r.positional_embedding_type ?? "standard";
  if (pos !== "shortformer" && pos !== "standard") {
    throw new ConfigError(`config.positional_embedding_type must be "shortformer" or "standard", found ${JSON.stringify(pos)}`);
  }
  const norm = r.normalization_type === undefined ? "LN" : r.normalization_type;
  if (norm !== "LN" && norm !== null) {
    throw new ConfigError(`config.normalization_type must be "LN" or null, found ${JSON.stringify(norm)}`);
  }
  const eps = r.eps ?? 1e-5;
  if (typeof eps !== "number" || !(eps > 0)) throw new ConfigError(`config.eps must be a positive number, found ${JSON.stringify(eps)}`);
  if (r.attn_only === false) throw new ConfigError("config.attn_only is false: only attention-only models are supported");
  return {
    n_layers: r.n_layers as number,
    d_model: r.d_model as number,
    n_heads: r.n_heads as number,
    d_head: r.d_head as number,
    d_vocab: r.d_vocab as number,
    n_ctx: r.n_ctx as number,
    positional_embedding_type: pos,
    normalization_type: norm,
    eps,
  };
}
