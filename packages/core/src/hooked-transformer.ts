/**
 * The user-facing model: parameters plus `forward`, `runWithHooks` and `runWithCache`, named
 * after TransformerLens' HookedTransformer. Each call runs in `tf.tidy`, so the only tensors that
 * survive are the ones returned, and `dispose()` frees the weights.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import { forward, type ForwardResult } from "./forward.js";
import { HookContext, type Hooks, type NamesFilter } from "./hooks.js";
import { disposeParams, initParams, type Params, paramsFromNamed, paramsToNamed, type ParamTree, paramTree } from "./params.js";
import { readSafetensors, type SafetensorsDtype, writeSafetensors } from "./safetensors.js";
import { tokenTensor, type TokenInput } from "./tokens.js";

export interface RunOptions {
  /** Also return the full logits [B, T, V] (costly at large vocab: by default only NLL is formed, in chunks). */
  returnLogits?: boolean;
}

/** Activations by hook name. Dispose it when done (or use `using` with a TS 5.2+ runtime). */
export class ActivationCache {
  constructor(private readonly acts: Map<string, tf.Tensor>) {}
  get(name: string): tf.Tensor {
    const t = this.acts.get(name);
    if (!t) throw new Error(`"${name}" is not in the cache; cached: ${[...this.acts.keys()].join(", ") || "nothing"}`);
    return t;
  }
  has(name: string): boolean {
    return this.acts.has(name);
  }
  keys(): string[] {
    return [...this.acts.keys()];
  }
  dispose(): void {
    for (const t of this.acts.values()) t.dispose();
    this.acts.clear();
  }
}

export class HookedTransformer {
  /** The same tensors as `params`, by module path: `weights.blocks[1].attn.W_Q` [H, D, C]. */
  readonly weights: ParamTree;

  constructor(
    readonly cfg: ModelConfig,
    /** The state dict: TransformerLens names ("blocks.1.attn.W_Q") to tensors, as saved and trained. */
    readonly params: Params,
  ) {
    this.weights = paramTree(cfg, params);
  }

  static random(cfg: ModelConfig, seed = 0): HookedTransformer {
    return new HookedTransformer(cfg, initParams(cfg, seed));
  }

  static fromSafetensors(cfg: ModelConfig, bytes: Uint8Array, source = "model.safetensors"): HookedTransformer {
    return new HookedTransformer(cfg, paramsFromNamed(cfg, readSafetensors(bytes, source), source));
  }

  async toSafetensors(dtype: SafetensorsDtype = "F32"): Promise<Uint8Array> {
    return writeSafetensors(await paramsToNamed(this.params), { dtype });
  }

  /** NLL [B, T] (and logits [B, T, V] if asked); the caller disposes them. */
  forward(tokens: TokenInput | tf.Tensor2D, options: RunOptions = {}): ForwardResult {
    return this.run(tokens, new HookContext(this.cfg), options);
  }

  /** Each hook may read its activation or return a replacement of the same shape. */
  runWithHooks(tokens: TokenInput | tf.Tensor2D, hooks: Hooks, options: RunOptions = {}): ForwardResult {
    return this.run(tokens, new HookContext(this.cfg, hooks), options);
  }

  /**
   * Caches every activation whose name passes the filter. Without one it caches everything except
   * the per-head q/k/v inputs, which only exist when named (they cost H copies of the residual).
   */
  runWithCache(
    tokens: TokenInput | tf.Tensor2D,
    options: RunOptions & { namesFilter?: NamesFilter; hooks?: Hooks } = {},
  ): ForwardResult & { cache: ActivationCache } {
    const ctx = new HookContext(this.cfg, options.hooks, options.namesFilter ?? ((n: string) => !/hook_[qkv]_input$/.test(n)));
    try {
      const out = this.run(tokens, ctx, options);
      return { ...out, cache: new ActivationCache(ctx.cache) };
    } catch (e) {
      for (const t of ctx.cache.values()) t.dispose();
      throw e;
    }
  }

  /** Per-token NLL as a plain array [B * T], row-major. */
  async lossPerToken(tokens: TokenInput | tf.Tensor2D): Promise<Float32Array> {
    const { nll } = this.forward(tokens);
    try {
      return (await nll.data()) as Float32Array;
    } finally {
      nll.dispose();
    }
  }

  dispose(): void {
    disposeParams(this.params);
  }

  private run(tokens: TokenInput | tf.Tensor2D, ctx: HookContext, options: RunOptions): ForwardResult {
    const owned = !(tokens instanceof tf.Tensor);
    const t = owned ? tokenTensor(tokens as TokenInput, this.cfg) : (tokens as tf.Tensor2D);
    try {
      return tf.tidy(() => {
        const r = forward(this.cfg, this.params, t, ctx, options);
        return (r.logits ? { nll: r.nll, logits: r.logits } : { nll: r.nll }) as unknown as tf.TensorContainer;
      }) as unknown as ForwardResult;
    } catch (e) {
      for (const c of ctx.cache.values()) c.dispose();
      ctx.cache.clear();
      throw e;
    } finally {
      if (owned) t.dispose();
    }
  }
}
