/**
 * Model modifications of the original experiments (docs/semantics.md §6): replacing a head's
 * attention pattern in the copies that feed chosen later heads, and swapping or flipping weights.
 */
import { type CausalMask, type ParamTree, tf, treeTensors, withAttention } from "@isc/core";
import { HypothesisError } from "./matchers.js";
import type { Path, PathSplit, Slot } from "./paths.js";
import type { PositionSplit } from "./position-split.js";

/** How a head's attention is replaced in some of its copies: its scores, its pattern, or both. */
export interface PatternReplacement {
  /** Distinguishes replacements in the treeified plan (copies with different patterns are different computations). */
  id: string;
  /**
   * The masked scores the head's softmax reads instead: raw q·k/√C [B, G, Tq, Tk] and the causal
   * mask -> [B, G, Tq, Tk] (see transposeScores).
   */
  scores?(raw: tf.Tensor4D, mask: CausalMask): tf.Tensor4D;
  /** The pattern the head uses instead: pattern [B, G, T, T] -> [B, G, T, T] (a fixed matrix, or a masked copy). */
  apply?(pattern: tf.Tensor4D): tf.Tensor4D;
}

export interface ModelModification {
  readonly name: string;
  /** New weights for the run; tensors it creates are disposed by the runner after the run. */
  params?(w: ParamTree): ParamTree;
  /**
   * How the paths are split: heads whose output is split into parts, each its own set of paths (see
   * splitPreviousToken), activations split along a subspace (subspace.ts), and head copies whose
   * input tokens are split by position (splitByPosition).
   */
  splits?: readonly PathSplit[];
  /**
   * The pattern of head (layer, head), or of one part of a split head, in the copy reached through
   * `prefix` (hops from the logits inward); null leaves it alone.
   */
  pattern?(prefix: Path, layer: number, head: number, part?: string): PatternReplacement | null;
}

function replacedBy(id: string, make: (T: number) => tf.Tensor2D): PatternReplacement {
  return { id, apply: (p) => tf.broadcastTo(make(p.shape[2]), p.shape) as tf.Tensor4D };
}

export type PatternKind = "real" | "beg" | "zero" | "diag";

/** [T, T] replacement patterns: exact previous token (position 0 attends to itself), attend-to-b, zero, identity. */
export function patternMatrix(kind: PatternKind, T: number, b = 0): tf.Tensor2D {
  const a = new Float32Array(T * T);
  for (let t = 0; t < T; t++) {
    if (kind === "real") a[t * T + Math.max(t - 1, 0)] = 1;
    else if (kind === "beg") {
      if (b >= T) throw new HypothesisError(`attend-to-position ${b} needs rows longer than ${T} positions`);
      a[t * T + b] = 1; // non-causal for t < b, as in the original code
    } else if (kind === "diag") a[t * T + t] = 1;
  }
  return tf.tensor2d(a, [T, T]);
}

/**
 * Replaces the pattern of `head` (e.g. the previous-token head 0.0) only in its copies that feed
 * the given later heads through the given slots (all by default); its direct path is untouched.
 */
export function replacePattern(
  kind: PatternKind,
  head: { layer: number; head: number },
  into: { heads?: readonly number[]; slots?: readonly Slot[]; layer?: number; begPos?: number } = {},
): ModelModification {
  const id = `${kind}${into.begPos ?? ""}`;
  const rep = replacedBy(id, (T) => patternMatrix(kind, T, into.begPos ?? 0));
  return {
    name: `${kind}-${head.layer}.${head.head}${into.heads ? `-into-${into.heads.join(",")}` : ""}${into.slots ? `-${into.slots.join("")}` : ""}`,
    pattern(prefix, layer, h, part) {
      if (layer !== head.layer || h !== head.head || prefix.length === 0 || part !== undefined) return null;
      const feed = prefix[prefix.length - 1];
      if (into.layer !== undefined && feed.layer !== into.layer) return null;
      if (into.heads && !into.heads.includes(feed.head)) return null;
      if (into.slots && !into.slots.includes(feed.slot)) return null;
      return rep;
    },
  };
}

/** Exchanges one weight (W_Q or W_K) between two heads of a layer. */
export function swapHeads(weight: "W_Q" | "W_K", layer: number, a: number, b: number): ModelModification {
  return swapHeadWeights(weight, { layer, head: a }, { layer, head: b });
}

/** Exchanges one weight (W_Q or W_K) between two heads, which may sit in different layers (REPO swaps any pair of its 16 heads). */
export function swapHeadWeights(weight: "W_Q" | "W_K", x: { layer: number; head: number }, y: { layer: number; head: number }): ModelModification {
  return {
    name: `swap-${weight === "W_Q" ? "q" : "k"}-${x.layer}.${x.head}-${y.layer}.${y.head}`,
    params: (p) => exchangeRows(p, { weight, ...x }, { weight, ...y }),
  };
}

/** Exchanges a head's W_Q and W_K. */
export function flipQK(layer: number, head: number): ModelModification {
  return {
    name: `flip-${layer}.${head}`,
    params: (p) => exchangeRows(p, { weight: "W_Q", layer, head }, { weight: "W_K", layer, head }),
  };
}

/** One head's row of an attention weight: `blocks[layer].attn[weight][head]`. */
interface WeightRow {
  weight: "W_Q" | "W_K";
  layer: number;
  head: number;
}

/**
 * `w` with two head rows exchanged. The rows may lie in one tensor or in two (another layer, or a
 * head's W_Q against its W_K): stacking the tensors involved lets one gather do every case, and a
 * gather copies rows bit for bit (a masked sum w·(1 − m) + r·m can turn −0 into +0).
 */
function exchangeRows(w: ParamTree, a: WeightRow, b: WeightRow): ParamTree {
  const places = a.layer === b.layer && a.weight === b.weight ? [a] : [a, b]; // the tensors involved
  const index = (r: WeightRow) => places.findIndex((x) => x.layer === r.layer && x.weight === r.weight);
  const tensors = places.map((r) => w.blocks[r.layer].attn[r.weight]); // each [H, D, C]
  const H = tensors[0].shape[0];
  const row = (r: WeightRow) => index(r) * H + r.head;
  const exchanged = tf.tidy(() => {
    const stacked = tf.concat(tensors);
    const order = Array.from({ length: stacked.shape[0] }, (_, i) => (i === row(a) ? row(b) : i === row(b) ? row(a) : i));
    return tf.split(tf.gather(stacked, order), tensors.length) as tf.Tensor3D[];
  });
  return places.reduce((acc, r, i) => withAttention(acc, r.layer, { [r.weight]: exchanged[i] }), w);
}

/**
 * Splits a head's output A·v·W_O into A⊙P and A⊙(1 − P), P the previous-position mask (P[t, t−1] = 1):
 * parts "prev" and "rest", each with its own paths, so a hypothesis can keep 0.0's previous-token
 * part on the K input and resample the rest (Redwood's split_pth_ov_by_pt_or_not, REMIX's fancy k).
 * With both parts on the same rows it computes exactly the unsplit head.
 */
export function splitPreviousToken(head: { layer: number; head: number }): ModelModification {
  const mask = (T: number, prev: boolean) => {
    const a = new Float32Array(T * T);
    for (let t = 0; t < T; t++) for (let j = 0; j <= t; j++) a[t * T + j] = (j === t - 1) === prev ? 1 : 0;
    return tf.tensor2d(a, [T, T]);
  };
  const parts: Record<string, PatternReplacement> = {
    prev: { id: "part:prev", apply: (p) => tf.mul(p, mask(p.shape[2], true)) as tf.Tensor4D },
    rest: { id: "part:rest", apply: (p) => tf.mul(p, mask(p.shape[2], false)) as tf.Tensor4D },
  };
  return {
    name: `split-${head.layer}.${head.head}`,
    splits: [{ layer: head.layer, head: head.head, parts: Object.keys(parts) }],
    pattern: (_prefix, l, h, part) => (l === head.layer && h === head.head && part ? parts[part] : null),
  };
}

/**
 * REPO's `split_paths_by_position` option: no change to the computation until a hypothesis gives
 * the inside and outside paths different rows (position-split.ts, docs/semantics.md §5.6).
 */
export function splitByPosition(splits: readonly PositionSplit[]): ModelModification {
  const name = splits.map((s) => `${s.reader.layer}.${s.reader.head}${s.reader.slot}-${s.heads.join(",")}-${s.back},${s.include}`);
  return { name: `by-position-${name.join("+")}`, splits };
}

/** Runs several modifications as one (weights then patterns; the first pattern replacement wins). */
export function combine(...mods: ModelModification[]): ModelModification {
  const splits = mods.flatMap((m) => m.splits ?? []);
  return {
    name: mods.map((m) => m.name).join("+"),
    params: (p) => {
      const original = new Set(treeTensors(p));
      const made = new Set<tf.Tensor>();
      const out = mods.reduce((acc, m) => {
        if (!m.params) return acc;
        const next = m.params(acc);
        for (const t of treeTensors(next)) if (!original.has(t)) made.add(t);
        return next;
      }, p);
      // Intermediate weights that a later modification replaced again are freed here.
      const kept = new Set(treeTensors(out));
      for (const t of made) if (!kept.has(t)) t.dispose();
      return out;
    },
    ...(splits.length ? { splits } : {}),
    pattern: (prefix, l, h, part) => {
      for (const m of mods) {
        const r = m.pattern?.(prefix, l, h, part);
        if (r) return r;
      }
      return null;
    },
  };
}
