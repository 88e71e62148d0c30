/**
 * TransformerLens state dict → the project's model (config + parameters).
 *
 * The state dict alone does not say how positions enter or what the LayerNorm epsilon is, so those come
 * from HF `redwood_attn_2l`'s config.json (docs/semantics.md §2.1: shortformer, LN, eps 1e-5) unless a
 * TransformerLens config is given; every size comes from the tensors' shapes. The `mask`/`IGNORE` buffers
 * and the all-zero biases are dropped; a non-zero bias, a missing tensor or a wrong shape is an error
 * (`paramsFromNamed`), because this model has no biases and a dropped non-zero one would change it.
 */
import { FormatError, type ModelConfig, paramsFromNamed, type Params, parseConfig, REDWOOD_ATTN_2L } from "@isc/core";
import { type TorchTensor, torchStateDictToFloat32, torchTensorToFloat32 } from "./torch-pickle.js";

export class ModelImportError extends FormatError {
  override name = "ModelImportError";
}

function shapeOf(sd: Map<string, TorchTensor>, name: string, rank: number, source: string): number[] {
  const t = sd.get(name);
  if (!t) {
    const keys = [...sd.keys()];
    throw new ModelImportError(
      `${source}: no "${name}" tensor, so this is not a TransformerLens state dict of an attention-only model (keys: ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", …" : ""})`,
    );
  }
  if (t.shape.length !== rank) throw new ModelImportError(`${source}: "${name}" has shape [${t.shape}], expected ${rank} dimensions`);
  return t.shape;
}

/** Sizes from the tensors; position type, norm and eps from redwood_attn_2l's config. */
export function configFromStateDict(sd: Map<string, TorchTensor>, source: string): ModelConfig {
  const [d_vocab, d_model] = shapeOf(sd, "embed.W_E", 2, source);
  const [n_ctx] = shapeOf(sd, "pos_embed.W_pos", 2, source);
  const [n_heads, , d_head] = shapeOf(sd, "blocks.0.attn.W_Q", 3, source);
  const layers = new Set<number>();
  for (const k of sd.keys()) {
    const m = k.match(/^blocks\.(\d+)\./);
    if (m) layers.add(Number(m[1]));
  }
  const n_layers = layers.size;
  for (let l = 0; l < n_layers; l++) {
    if (!layers.has(l)) throw new ModelImportError(`${source}: blocks are numbered ${[...layers].sort((a, b) => a - b)}, not 0..${n_layers - 1}`);
  }
  return parseConfig({
    n_layers,
    d_model,
    n_heads,
    d_head,
    d_vocab,
    n_ctx,
    positional_embedding_type: REDWOOD_ATTN_2L.positional_embedding_type,
    normalization_type: sd.has("blocks.0.ln1.w") ? "LN" : null,
    eps: REDWOOD_ATTN_2L.eps,
  });
}

/**
 * The forward pass here always applies a causal mask with -10000 for masked scores; the buffers that
 * TransformerLens uses instead must describe the same thing, or dropping them would change the model.
 */
function checkBuffers(sd: Map<string, TorchTensor>, source: string): void {
  for (const [name, t] of sd) {
    if (name.endsWith(".mask")) {
      const [n, m] = t.shape;
      if (t.shape.length !== 2 || n !== m) throw new ModelImportError(`${source}: "${name}" has shape [${t.shape}], expected a square causal mask`);
      const d = t.data as Uint8Array | Float32Array;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (Number(d[i * n + j] !== 0) !== Number(j <= i)) {
            throw new ModelImportError(`${source}: "${name}" is not a causal mask (element [${i}, ${j}] is ${d[i * n + j]}); local or other attention masks are not supported`);
          }
        }
      }
    } else if (name.endsWith(".IGNORE")) {
      const v = torchTensorToFloat32(t)[0];
      if (t.data.length !== 1 || !(v <= -1e4)) {
        throw new ModelImportError(`${source}: "${name}" is ${t.data.length === 1 ? v : `[${t.shape}]`}; expected one value <= -1e4 (masked attention scores)`);
      }
    }
  }
}

export interface ConvertedModel {
  cfg: ModelConfig;
  params: Params;
  /** State-dict entries not carried over (buffers, zero biases). */
  dropped: string[];
  /** Whether the shapes are exactly redwood_attn_2l's. */
  isRedwoodShape: boolean;
}

/**
 * `cfgOverride` (a parsed TransformerLens config.json) replaces the inferred config; its sizes must then
 * match the tensors, which `paramsFromNamed` checks.
 */
export function convertStateDict(sd: Map<string, TorchTensor>, source: string, cfgOverride?: ModelConfig): ConvertedModel {
  const cfg = cfgOverride ?? configFromStateDict(sd, source);
  for (const [name, t] of sd) {
    if (t.dtype !== "float32" && t.dtype !== "float64" && t.dtype !== "float16" && t.dtype !== "bfloat16" && !/\.(mask|IGNORE)$/.test(name)) {
      throw new ModelImportError(`${source}: parameter "${name}" is ${t.dtype}, expected a float tensor`);
    }
  }
  checkBuffers(sd, source);
  for (const [name, t] of sd) {
    if (!/\.b_[A-Za-z]+$/.test(name)) continue;
    const v = torchTensorToFloat32(t);
    const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    if (max !== 0) {
      throw new ModelImportError(
        `${source}: bias "${name}" [${t.shape}] is not zero (max |value| ${max}); this model has no biases (Redwood's are all zero), so it cannot be imported without changing it`,
      );
    }
  }
  let params: Params;
  try {
    params = paramsFromNamed(cfg, torchStateDictToFloat32(sd), source);
  } catch (e) {
    throw new ModelImportError((e as Error).message);
  }
  const kept = new Set(Object.keys(params));
  const isRedwoodShape = (Object.keys(REDWOOD_ATTN_2L) as (keyof ModelConfig)[]).every((k) => REDWOOD_ATTN_2L[k] === cfg[k]);
  return { cfg, params, dropped: [...sd.keys()].filter((k) => !kept.has(k)), isRedwoodShape };
}
