/**
 * The model's parameters under TransformerLens' names and shapes, so a TransformerLens state
 * dict maps 1:1. Attention-only, no biases (Redwood's model has none), untied unembedding.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import { Rng } from "./rng.js";
import { type NamedTensor, SafetensorsError, type TensorToWrite } from "./safetensors.js";

/** Parameter name -> tensor. Keys are exactly those of `paramShapes(config)`. */
export type Params = Record<string, tf.Tensor>;

/** One LayerNorm's gain and bias, each [D]. */
export interface LayerNormParams {
  w: tf.Tensor1D;
  b: tf.Tensor1D;
}

/** One layer's heads: W_Q, W_K, W_V [H, D, C] and W_O [H, C, D]. */
export interface AttentionParams {
  W_Q: tf.Tensor3D;
  W_K: tf.Tensor3D;
  W_V: tf.Tensor3D;
  W_O: tf.Tensor3D;
}

export interface BlockParams {
  /** null when the model has no LayerNorm. */
  ln1: LayerNormParams | null;
  attn: AttentionParams;
}

/** The parameters as the model is built, TransformerLens' module path for each: `blocks[l].attn.W_Q`. */
export interface ParamTree {
  embed: { W_E: tf.Tensor2D }; // [V, D]
  pos_embed: { W_pos: tf.Tensor2D }; // [n_ctx, D]
  blocks: BlockParams[];
  ln_final: LayerNormParams | null;
  unembed: { W_U: tf.Tensor2D }; // [D, V]
}

/** Every tensor of a tree, once each. */
export function treeTensors(w: ParamTree): tf.Tensor[] {
  const ln = (x: LayerNormParams | null) => (x ? [x.w, x.b] : []);
  const blocks = w.blocks.flatMap((b) => [...ln(b.ln1), b.attn.W_Q, b.attn.W_K, b.attn.W_V, b.attn.W_O]);
  return [...new Set([w.embed.W_E, w.pos_embed.W_pos, ...blocks, ...ln(w.ln_final), w.unembed.W_U])];
}

/** `w` with some of layer `layer`'s attention weights replaced; every other tensor is shared. */
export function withAttention(w: ParamTree, layer: number, patch: Partial<AttentionParams>): ParamTree {
  return { ...w, blocks: w.blocks.map((b, l) => (l === layer ? { ...b, attn: { ...b.attn, ...patch } } : b)) };
}

/** The same tensors as `p`, reached by module path instead of by name (no copies). */
export function paramTree(c: ModelConfig, p: Params): ParamTree {
  const ln = (name: string): LayerNormParams | null =>
    c.normalization_type === "LN" ? { w: p[`${name}.w`] as tf.Tensor1D, b: p[`${name}.b`] as tf.Tensor1D } : null;
  const blocks = Array.from({ length: c.n_layers }, (_, l): BlockParams => {
    const w = (n: keyof AttentionParams) => p[`blocks.${l}.attn.${n}`] as tf.Tensor3D;
    return { ln1: ln(`blocks.${l}.ln1`), attn: { W_Q: w("W_Q"), W_K: w("W_K"), W_V: w("W_V"), W_O: w("W_O") } };
  });
  return {
    embed: { W_E: p["embed.W_E"] as tf.Tensor2D },
    pos_embed: { W_pos: p["pos_embed.W_pos"] as tf.Tensor2D },
    blocks,
    ln_final: ln("ln_final"),
    unembed: { W_U: p["unembed.W_U"] as tf.Tensor2D },
  };
}

/** Every parameter's TransformerLens name and shape, in a fixed order. */
export function paramShapes(c: ModelConfig): [string, number[]][] {
  const out: [string, number[]][] = [
    ["embed.W_E", [c.d_vocab, c.d_model]],
    ["pos_embed.W_pos", [c.n_ctx, c.d_model]],
  ];
  for (let l = 0; l < c.n_layers; l++) {
    if (c.normalization_type === "LN") {
      out.push([`blocks.${l}.ln1.w`, [c.d_model]], [`blocks.${l}.ln1.b`, [c.d_model]]);
    }
    for (const w of ["W_Q", "W_K", "W_V"]) out.push([`blocks.${l}.attn.${w}`, [c.n_heads, c.d_model, c.d_head]]);
    out.push([`blocks.${l}.attn.W_O`, [c.n_heads, c.d_head, c.d_model]]);
  }
  if (c.normalization_type === "LN") out.push(["ln_final.w", [c.d_model]], ["ln_final.b", [c.d_model]]);
  out.push(["unembed.W_U", [c.d_model, c.d_vocab]]);
  return out;
}

/**
 * Initial weights for training. Q/K get std 1/sqrt(d_model) rather than GPT-2's 0.02: with
 * 0.02 everywhere small attention-only models have been seen to never form induction heads.
 * Shortformer positions are added after LayerNorm, whose output has unit-scale elements, so random
 * positions start at std 0.5: at 0.8/sqrt(d_model) (0.05) they were ~5% of the Q/K input.
 * `positions: "sinusoidal"` starts W_pos at the Transformer's sin/cos table instead (still
 * learned): a shift by one position is then a fixed rotation of each frequency pair, which a
 * d_head-rank Q·K can express, whereas ~300 random vectors in d_model dimensions have no
 * low-rank "previous position" map; see weights/default/card.md for the run that needed it.
 */
export interface InitOptions {
  positions?: "normal" | "sinusoidal";
}

export function initParams(c: ModelConfig, seed: number | Rng = 0, options: InitOptions = {}): Params {
  const rng = typeof seed === "number" ? new Rng(seed) : seed;
  const std: Record<string, number> = {
    W_E: 0.8 / Math.sqrt(c.d_model),
    W_pos: c.positional_embedding_type === "shortformer" ? 0.5 : 0.8 / Math.sqrt(c.d_model),
    W_Q: 1 / Math.sqrt(c.d_model),
    W_K: 1 / Math.sqrt(c.d_model),
    W_V: 1 / Math.sqrt(c.d_model),
    W_O: 1 / Math.sqrt(c.d_head * c.n_heads * 2 * c.n_layers),
    W_U: 0.5 / Math.sqrt(c.d_model),
  };
  const params: Params = {};
  for (const [name, shape] of paramShapes(c)) {
    const leaf = name.slice(name.lastIndexOf(".") + 1);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (leaf === "w") data.fill(1);
    else if (leaf === "W_pos" && options.positions === "sinusoidal") data.set(sinusoidalPositions(c.n_ctx, c.d_model));
    else if (leaf !== "b") for (let i = 0; i < n; i++) data[i] = rng.normal() * std[leaf];
    params[name] = tf.tensor(data, shape, "float32");
  }
  return params;
}

/** [n, d] flat: row t = (sin(t·w_0), cos(t·w_0), sin(t·w_1), …), w_i = 10000^(-2i/d). */
export function sinusoidalPositions(n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let i = 0; 2 * i < d; i++) {
      const angle = t * Math.pow(10000, (-2 * i) / d);
      out[t * d + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < d) out[t * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/**
 * Checks a loaded state dict against the config and makes tensors. Extra TransformerLens
 * buffers (`IGNORE`, `mask`) and all-zero biases are tolerated; anything else unexpected is an error.
 */
export function paramsFromNamed(c: ModelConfig, named: Map<string, NamedTensor | TensorToWrite>, source = "weights"): Params {
  const params: Params = {};
  const expected = paramShapes(c);
  for (const [name, shape] of expected) {
    const t = named.get(name);
    if (!t) throw new SafetensorsError(`${source}: missing tensor "${name}" (expected shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new SafetensorsError(`${source}: tensor "${name}" has shape [${t.shape}], expected [${shape}]`);
    }
  }
  const known = new Set(expected.map(([n]) => n));
  for (const [name, t] of named) {
    if (known.has(name) || /\.(IGNORE|mask)$/.test(name)) continue;
    if (/\.b_[A-Za-z]+$/.test(name) && t.data.every((v) => v === 0)) continue;
    throw new SafetensorsError(`${source}: unexpected tensor "${name}" [${t.shape}] (this model has no such parameter)`);
  }
  for (const [name] of expected) checkFinite(source, name, named.get(name)!.data);
  for (const [name, shape] of expected) params[name] = tf.tensor(named.get(name)!.data, shape, "float32");
  return params;
}

/** NaN or infinite weights make every loss NaN: refuse them where they are read, naming the tensor. */
function checkFinite(source: string, name: string, data: ArrayLike<number>): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    if (bad++ === 0) first = i;
  }
  if (bad > 0) throw new SafetensorsError(`${source}: tensor "${name}" holds ${bad} non-finite values (NaN or ±Infinity; the first at flat index ${first})`);
}

/** Copies parameters out of tfjs, e.g. to write a safetensors file or a checkpoint. */
export async function paramsToNamed(params: Params): Promise<Map<string, TensorToWrite>> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of Object.entries(params)) out.set(name, { shape: t.shape, data: (await t.data()) as Float32Array });
  return out;
}

export function disposeParams(params: Params): void {
  for (const t of Object.values(params)) t.dispose();
}
