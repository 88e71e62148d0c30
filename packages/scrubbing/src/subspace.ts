/**
 * Subspace splits (REPO `model.py` option `split_with_projection`, `utils.py`
 * `split_circuit_with_projection`; docs/semantics.md §5.5). An activation `a` feeding one head's
 * input is split into its projection on a kept subspace and the rest, each reached by its own copy
 * of the paths beneath it: the parts are named `proj_target` (kept) and `proj_residual`, as REPO
 * names the two nodes, so a hypothesis resamples the residual with a matcher on that part
 * (`subspacePart("proj_residual")`, REPO's `rc.Matcher("proj_residual")`). Plain data: no tensors.
 */
import { HypothesisError, type ModelConfig } from "@isc/core";
import type { ModelModification } from "./model-modifications.js";
import type { PathSplit, Slot, SubspacePart } from "./paths.js";

export type { SubspacePart };

/** Target first: a split path's two copies are enumerated in this order. */
export const SUBSPACE_PARTS: readonly SubspacePart[] = ["proj_target", "proj_residual"];

/**
 * Which activation of the residual feeding the split slot is split (REPO's node in brackets):
 * - `resid_pre`: the whole residual, before the slot's LayerNorm ("pre-ln", `b0`);
 * - `normalized`: the LayerNorm's output, before the shortformer position term is added ("post-ln", `a1.norm`);
 * - `heads`: the summed outputs of `heads` of an earlier `layer` in that residual ("l0-out", `b0.a`;
 *   "l0h0-out", `b0.a.head0`). The projection is linear, so this equals splitting each head's term.
 */
export type SplitActivation = { kind: "resid_pre" } | { kind: "normalized" } | { kind: "heads"; layer: number; heads: readonly number[] };

/** An orthonormal basis of d-dimensional space, or of part of it: `k` rows, the most important first. */
export interface Basis {
  d: number;
  k: number;
  /** [k, d] row-major, orthonormal rows. */
  vectors: Float32Array;
  /** [d] the centre c of REPO's P(a − c) + c (the PCA mean); it cancels in the split, so it is only recorded. */
  center?: Float32Array;
  /** Where it came from (file and checksum), for run records. */
  source: string;
}

/** The activation of the unscrubbed model a basis describes: a TransformerLens hook, summed over `heads` for per-head hooks. */
export interface ActivationSite {
  hook: string;
  heads?: readonly number[];
}

export interface SubspaceSplit {
  kind: "subspace";
  /** The head input that reads the split activation, in every copy of that head. */
  layer: number;
  head: number;
  slot: Slot;
  activation: SplitActivation;
  /** How many directions are kept: the basis's first `dim` rows (0 keeps nothing, d_model everything). */
  dim: number;
  /** Supplied by the caller (`withBases`) before a run; a scrub refuses to run while it is null. */
  basis: Basis | null;
}

export function isSubspaceSplit(s: PathSplit): s is SubspaceSplit {
  return (s as SubspaceSplit).kind === "subspace";
}

/** Every subspace split of a modification. */
export function subspaceSplits(mod: ModelModification | undefined): SubspaceSplit[] {
  return (mod?.splits ?? []).filter(isSubspaceSplit);
}

/** The activation a split's default (PCA) basis is computed from; the same for every head reading it in the unscrubbed model. */
export function activationSite(s: SubspaceSplit, cfg: ModelConfig): ActivationSite {
  const a = s.activation;
  if (a.kind === "resid_pre") return { hook: `blocks.${s.layer}.hook_resid_pre` };
  if (a.kind === "normalized") return { hook: `blocks.${s.layer}.ln1.hook_normalized` };
  if (a.heads.length === cfg.n_heads) return { hook: `blocks.${a.layer}.hook_attn_out` };
  return { hook: `blocks.${a.layer}.attn.hook_result`, heads: [...a.heads].sort((x, y) => x - y) };
}

/** "blocks.1.ln1.hook_normalized", or "blocks.0.attn.hook_result.0+6" for a sum of heads: also the basis file's name. */
export function siteKey(site: ActivationSite): string {
  return site.heads ? `${site.hook}.${site.heads.join("+")}` : site.hook;
}

/** The inverse of siteKey. */
export function parseSiteKey(key: string): ActivationSite {
  const m = /^(blocks\.\d+\.attn\.hook_result)\.(\d+(?:\+\d+)*)$/.exec(key);
  return m ? { hook: m[1], heads: m[2].split("+").map(Number) } : { hook: key };
}

/**
 * Splits the activation feeding `into`'s slot (every copy of that head) along the first `dim` rows
 * of a basis given later with `withBases`. Both parts on the same rows compute the unsplit model.
 */
export function splitWithProjection(into: { layer: number; head: number; slot: Slot }, activation: SplitActivation, dim: number): ModelModification {
  const what = activation.kind === "heads" ? `${activation.layer}.${activation.heads.join(",")}-out` : activation.kind;
  return {
    name: `proj-${into.layer}.${into.head}.${into.slot}-${what}-${dim}d`,
    splits: [{ kind: "subspace", ...into, activation, dim, basis: null }],
  };
}

/** `mod` with a basis for each of its subspace splits (its name then says which). */
export function withBases(mod: ModelModification, basisOf: (s: SubspaceSplit) => Basis): ModelModification {
  const sources: string[] = [];
  const splits = (mod.splits ?? []).map((s) => {
    if (!isSubspaceSplit(s)) return s;
    const basis = basisOf(s);
    sources.push(basis.source);
    return { ...s, basis };
  });
  return { ...mod, name: `${mod.name} (basis ${sources.join("; ")})`, splits };
}

/** Refuses a run whose splits lack a basis or cannot use it: before anything is computed. */
export function checkBases(splits: readonly PathSplit[], cfg: ModelConfig): void {
  for (const s of splits.filter(isSubspaceSplit)) {
    const where = `the subspace split of ${s.layer}.${s.head}.${s.slot}`;
    if (!Number.isInteger(s.dim) || s.dim < 0 || s.dim > cfg.d_model) throw new HypothesisError(`${where} keeps ${s.dim} directions; it can keep 0..${cfg.d_model}`);
    if (!s.basis) throw new HypothesisError(`${where} has no basis: give it one (withBases) before running`);
    if (s.basis.d !== cfg.d_model) throw new HypothesisError(`${where}: the basis (${s.basis.source}) has vectors of ${s.basis.d} numbers; the model's d_model is ${cfg.d_model}`);
    if (s.dim > s.basis.k) throw new HypothesisError(`${where} keeps ${s.dim} directions but the basis (${s.basis.source}) has only ${s.basis.k}`);
  }
}
