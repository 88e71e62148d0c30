/**
 * Where a subspace split (subspace.ts) doubles the paths of the treeified model. A path through the
 * split activation gets two copies, one per part, told apart by the `subspace` field of one hop:
 * for a split of a slot input (`resid_pre`, `normalized`), the hop entering that slot; for a split
 * of some heads' outputs (`heads`), the hop of the head whose output it is, right after the slot's.
 * So `1.6.k[proj_residual]/0.3.v` is 0.3's V path into 1.6's K input, on its residual side.
 */
import { HypothesisError, type ModelConfig } from "@isc/core";
import type { Hop, Path, PathSplit } from "./paths.js";
import { isSubspaceSplit, SUBSPACE_PARTS, type SubspaceSplit } from "./subspace.js";

/** The index of the hop of `path` that carries split `s`'s part, or -1 when the path does not pass through it. */
export function subspaceHop(path: Path, s: SubspaceSplit): number {
  const j = path.findIndex((h) => isSite(h, s));
  if (j < 0 || s.activation.kind !== "heads") return j;
  const next = path[j + 1];
  return next && next.layer === s.activation.layer && s.activation.heads.includes(next.head) ? j + 1 : -1;
}

/** The subspace split whose slot `hop` enters, if any. */
export function splitAt(splits: readonly PathSplit[], hop: Hop): SubspaceSplit | undefined {
  return splits.filter(isSubspaceSplit).find((s) => isSite(hop, s));
}

/** `paths` with every path through a subspace split replaced by its proj_target and proj_residual copies, in that order. */
export function tagSubspaces(paths: Path[], splits: readonly PathSplit[], cfg: ModelConfig): Path[] {
  const subs = splits.filter(isSubspaceSplit);
  subs.forEach((s, i) => checkSite(s, subs.slice(0, i), cfg));
  let out = paths;
  for (const s of subs) {
    out = out.flatMap((p) => {
      const j = subspaceHop(p, s);
      if (j < 0) return [p];
      if (p[j].subspace) throw new HypothesisError(`two subspace splits meet on one hop of ${p.map((h) => `${h.layer}.${h.head}.${h.slot}`).join("/")}`);
      return SUBSPACE_PARTS.map((part) => p.map((h, i) => (i === j ? { ...h, subspace: part } : h)));
    });
  }
  return out;
}

function isSite(h: Hop, s: SubspaceSplit): boolean {
  return h.layer === s.layer && h.head === s.head && h.slot === s.slot;
}

function checkSite(s: SubspaceSplit, earlier: readonly SubspaceSplit[], cfg: ModelConfig): void {
  const where = `subspace split of ${s.layer}.${s.head}.${s.slot}`;
  if (!Number.isInteger(s.layer) || s.layer < 0 || s.layer >= cfg.n_layers || !Number.isInteger(s.head) || s.head < 0 || s.head >= cfg.n_heads) {
    throw new HypothesisError(`${where}: no such head in a model of ${cfg.n_layers} layers × ${cfg.n_heads} heads`);
  }
  if (earlier.some((e) => isSite({ layer: e.layer, head: e.head, slot: e.slot }, s))) throw new HypothesisError(`${where}: that input is split twice`);
  const a = s.activation;
  if (a.kind !== "heads") return;
  if (a.layer < 0 || a.layer >= s.layer) throw new HypothesisError(`${where}: it can split outputs of layers 0..${s.layer - 1}, not ${a.layer}`);
  if (a.heads.length === 0 || a.heads.some((h) => !Number.isInteger(h) || h < 0 || h >= cfg.n_heads)) {
    throw new HypothesisError(`${where}: heads [${a.heads.join(", ")}] are not a non-empty set of heads 0..${cfg.n_heads - 1}`);
  }
}
