/**
 * Token-position-resolved inputs (docs/semantics.md §5.6, REPO model.py `split_paths_by_position`):
 * the residual feeding one slot of a later head is taken per query position i, and in it, the
 * listed layer-0 heads see their input tokens at positions inside the window
 * [max(i − back, 0), i − back + include) through one set of paths ("inside") and every other
 * token through another ("outside"). A hypothesis can then say "the value of 1.5 at position i
 * depends only on token i" by resampling the outside paths.
 *
 * Plain data and path bookkeeping only; the attention that mixes the two token sets is
 * windowed-attention.ts.
 */
import { HypothesisError, type ModelConfig } from "@isc/core";
import type { Hop, Path, PathSplit, Slot, Window } from "./paths.js";

export interface PositionSplit {
  /** The head and slot whose input is resolved by position (REPO's l1 head and child). */
  reader: { layer: number; head: number; slot: Slot };
  /** Layer-0 heads, in the copies feeding that slot, whose input tokens are split (REPO's l0 heads). */
  heads: readonly number[];
  /** How far before the query position the window starts (REPO's num_toks_back). */
  back: number;
  /** How many positions it covers (REPO's num_toks_to_include). */
  include: number;
}

/** Telling the two kinds of `ModelModification.splits` apart. */
export function isPositionSplit(s: PathSplit): s is PositionSplit {
  return "reader" in s;
}

/** The window of head `head` of `layer` in the copy reached along `prefix`, or null where it is not split. */
export function windowAt(splits: readonly PathSplit[], prefix: readonly Hop[], layer: number, head: number): PositionSplit | null {
  if (layer !== 0 || prefix.length !== 1) return null;
  const r = prefix[0];
  for (const s of splits) {
    if (!isPositionSplit(s)) continue;
    const w = s.reader;
    if (w.layer === r.layer && w.head === r.head && w.slot === r.slot && s.heads.includes(head)) return s;
  }
  return null;
}

/**
 * Whether query position i lies in its own window [max(i − back, 0), max(i − back + include, 0)):
 * i ≥ i − back always, and i < i − back + include exactly when include > back, for every i. So a
 * head copy's query comes wholly from the inside or wholly from the outside rows.
 */
export function queryInside(s: Pick<PositionSplit, "back" | "include">): boolean {
  return s.include > s.back;
}

/**
 * [T·T] 1 where key position j is inside query position i's window. The right end is clamped at 0:
 * REPO slices `[left:right]` with Python indices, where a negative `right` would count from the end;
 * none of its experiments reaches that case (include ≥ back there), and an empty window is meant.
 */
export function windowMatrix(s: Pick<PositionSplit, "back" | "include">, T: number): Uint8Array {
  const m = new Uint8Array(T * T);
  for (let i = 0; i < T; i++) {
    const left = Math.max(i - s.back, 0);
    const right = Math.min(Math.max(i - s.back + s.include, 0), T);
    for (let j = left; j < right; j++) m[i * T + j] = 1;
  }
  return m;
}

/** Refuses a split the model cannot have: an unknown head, a reader in layer 0, a bad window, a head split twice. */
export function checkPositionSplits(cfg: ModelConfig, splits: readonly PositionSplit[]): void {
  const seen = new Set<string>();
  for (const s of splits) {
    const { layer, head, slot } = s.reader;
    const name = `${layer}.${head}.${slot}`;
    if (!Number.isInteger(layer) || layer < 1 || layer >= cfg.n_layers) throw new HypothesisError(`position split into ${name}: the reader must be a head of layers 1..${cfg.n_layers - 1}`);
    if (!Number.isInteger(head) || head < 0 || head >= cfg.n_heads) throw new HypothesisError(`position split into ${name}: unknown head`);
    if (slot !== "q" && slot !== "k" && slot !== "v") throw new HypothesisError(`position split into ${name}: unknown slot (q, k or v)`);
    if (!Number.isInteger(s.back) || s.back < 0) throw new HypothesisError(`position split into ${name}: back must be a whole number ≥ 0, got ${s.back}`);
    if (!Number.isInteger(s.include) || s.include < 1) throw new HypothesisError(`position split into ${name}: include must be a whole number ≥ 1, got ${s.include}`);
    if (s.heads.length === 0) throw new HypothesisError(`position split into ${name}: no layer-0 head to split`);
    for (const h of s.heads) {
      if (!Number.isInteger(h) || h < 0 || h >= cfg.n_heads) throw new HypothesisError(`position split into ${name}: unknown head 0.${h}`);
      // REPO asserts the same: one window per head copy.
      if (seen.has(`${name}/${h}`)) throw new HypothesisError(`position split into ${name}: head 0.${h} is split twice`);
      seen.add(`${name}/${h}`);
    }
  }
}

/** `paths` with every path through a split head copy replaced by its inside and outside paths. */
export function splitPathsByPosition(cfg: ModelConfig, paths: Path[], splits: readonly PathSplit[]): Path[] {
  const mine = splits.filter(isPositionSplit);
  if (mine.length === 0) return paths;
  checkPositionSplits(cfg, mine);
  return paths.flatMap((p) => {
    if (p.length !== 2 || !windowAt(mine, p.slice(0, 1), p[1].layer, p[1].head)) return [p];
    return (["inside", "outside"] as Window[]).map((window) => [p[0], { ...p[1], window }]);
  });
}
