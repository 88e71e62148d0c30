/**
 * Hook points: every activation of the forward pass has a TransformerLens name. A hook may read
 * an activation or return a replacement of the same shape; a cache keeps copies. Both live only
 * for one call, so nothing outlives it.
 */
import { HypothesisError } from "./errors.js";
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import { blockHooks, hookNames } from "./hook-points.js";

/** Return a tensor to replace the activation, or nothing to leave it as it is. Runs inside `tf.tidy`. */
export type HookFn = (activation: tf.Tensor, hook: { name: string }) => tf.Tensor | void;
export type NameMatcher = string | RegExp | ((name: string) => boolean);
export type Hooks = Record<string, HookFn> | [NameMatcher, HookFn][];
export type NamesFilter = NameMatcher | NameMatcher[];

export class HookError extends HypothesisError {
  override name = "HookError";
}

function matches(m: NameMatcher, name: string): boolean {
  return typeof m === "string" ? m === name : m instanceof RegExp ? m.test(name) : m(name);
}

/** The per-call state of hooks and cache. Made fresh for every forward call. */
export class HookContext {
  readonly cache = new Map<string, tf.Tensor>();
  private readonly byName = new Map<string, HookFn[]>();
  private readonly cached = new Set<string>();

  constructor(cfg: ModelConfig, hooks: Hooks = [], cacheFilter?: NamesFilter) {
    const all = hookNames(cfg);
    const known = new Set(all);
    const pairs: [NameMatcher, HookFn][] = Array.isArray(hooks) ? hooks : Object.entries(hooks);
    for (const [m, fn] of pairs) {
      if (typeof m === "string" && !known.has(m)) throw new HookError(unknownHook(m, all));
      const hit = all.filter((n) => matches(m, n));
      if (hit.length === 0) throw new HookError(`hook matcher ${String(m)} matches no hook point of this model`);
      for (const n of hit) this.byName.set(n, [...(this.byName.get(n) ?? []), fn]);
    }
    if (cacheFilter !== undefined) {
      const ms = Array.isArray(cacheFilter) ? cacheFilter : [cacheFilter];
      for (const m of ms) if (typeof m === "string" && !known.has(m)) throw new HookError(unknownHook(m, all));
      for (const n of all) if (ms.some((m) => matches(m, n))) this.cached.add(n);
    }
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = blockHooks(l);
      const split = [h.q_input, h.k_input, h.v_input].some((n) => this.active(n));
      const ln = this.active(h.ln1.scale) || this.active(h.ln1.normalized);
      if (split && ln) {
        throw new HookError(
          `blocks.${l}: ln1 hooks and hook_{q,k,v}_input cannot be used together: with per-head inputs, LayerNorm runs per head and slot`,
        );
      }
    }
  }

  /** Whether anything reads or writes this point, so the forward pass can skip costly ones (per-head inputs, results). */
  active(name: string): boolean {
    return this.byName.has(name) || this.cached.has(name);
  }

  /** Passes an activation through its hooks and the cache; returns what flows on. */
  point<T extends tf.Tensor>(name: string, x: T): T {
    let out: tf.Tensor = x;
    for (const fn of this.byName.get(name) ?? []) {
      const r = fn(out, { name });
      if (r === undefined) continue;
      if (!(r instanceof tf.Tensor)) throw new HookError(`hook on ${name} returned ${typeof r}, not a tensor`);
      if (r.rank !== out.rank || r.shape.some((d, i) => d !== out.shape[i])) {
        throw new HookError(`hook on ${name} returned shape [${r.shape}], expected [${out.shape}]`);
      }
      out = r.dtype === "float32" ? r : tf.cast(r, "float32");
    }
    if (this.cached.has(name)) this.cache.set(name, tf.keep(out.clone()));
    return out as T;
  }
}

function unknownHook(name: string, all: string[]): string {
  const leaf = name.slice(name.lastIndexOf(".") + 1);
  const near = all.filter((n) => n.endsWith(leaf)).slice(0, 3);
  return `unknown hook point "${name}"${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(", ")}?)` : ""}`;
}
