/**
 * The fallback for induction heads that do not form on natural text alone (docs/semantics.md §14):
 * a share of the training rows gets one span repeated further along the same row, so that "find the
 * earlier occurrence, predict what followed it" pays off often. Two kinds:
 * - "copy": a span of the row's own text is copied later (the text around stays natural); bigram
 *   statistics already predict much of such a copy, so it rewards induction only a little;
 * - "random": a span of uniformly random token ids is written and then repeated later; nothing but
 *   induction predicts its second occurrence (the repeated-random-token setting of Olsson et al.);
 * - "mixed": each span is random or copy with even odds. Tried on the default model: the copies of
 *   natural text taught it to over-trust repeats in natural text, and its ICL score fell from −0.22
 *   to −0.13 in 1,400 steps (weights/default/training-history.md).
 * Which rows and which spans depend only on (seed, step), so a resumed run draws exactly what an
 * uninterrupted one would. A run may change its mix at a recorded step (`--change-mix`).
 */
import { Rng } from "@isc/core";

export interface RepeatSpans {
  /** Chance that a row gets a repeated span. */
  frac: number;
  /** Span length, uniform in [minLen, maxLen] tokens. */
  minLen: number;
  maxLen: number;
  /** Absent in checkpoints from before random spans existed: "copy". */
  kind?: "copy" | "random" | "mixed";
  /**
   * Share of spans whose copy follows the original at once ([…, r, r, …]) rather than at a random
   * later place; absent = 0. Without it the copy nearly always starts in natural text, and a model
   * learns to trust a copy that starts right after a random block only once it has run on a while.
   */
  adjacent?: number;
}

export type RepeatKind = NonNullable<RepeatSpans["kind"]>;

/** Span lengths when a run names none. */
export const DEFAULT_SPAN_LENGTHS: readonly [number, number] = [16, 96];

export function repeatSpans(frac: number, kind: RepeatKind = "copy", [minLen, maxLen]: readonly [number, number] = DEFAULT_SPAN_LENGTHS, adjacent = 0): RepeatSpans {
  // Fields at their old defaults stay absent, so specs written before they existed compare equal.
  return { frac, minLen, maxLen, ...(kind === "copy" ? {} : { kind }), ...(adjacent > 0 ? { adjacent } : {}) };
}

/** The spans in force at `step`: the last recorded change at or before it, else the run's first mix. */
export function spansAt(first: RepeatSpans | undefined, changes: readonly { step: number; repeat: RepeatSpans }[] | undefined, step: number): RepeatSpans | undefined {
  let out = first;
  for (const c of changes ?? []) if (c.step <= step) out = c.repeat;
  return out;
}

export function describeSpans(r: RepeatSpans | undefined): string {
  if (!r?.frac) return "no repeated spans";
  const what = r.kind === "random" ? "random-token " : r.kind === "mixed" ? "random-token or copied-text " : "";
  const placed = r.adjacent ? `, ${Math.round(r.adjacent * 100)}% of copies right after their original` : "";
  return `${Math.round(r.frac * 100)}% of rows with a repeated ${what}span of ${r.minLen}–${r.maxLen} tokens${placed}`;
}

/**
 * rows: int32 [batch, width], changed in place. Position 0 ([BEGIN]) is never written. Random spans
 * draw ids from [0, randomIds). Returns how many rows got a span.
 */
export function applyRepeatSpans(rows: Int32Array, batch: number, width: number, spec: RepeatSpans, seed: number, step: number, randomIds = 0): number {
  if ((spec.kind === "random" || spec.kind === "mixed") && !(randomIds > 0)) throw new Error("random repeated spans need the number of ids to draw from");
  if (spec.frac <= 0) return 0;
  const rng = new Rng(seed).fork("repeat-spans").fork(step);
  // Short rows (small test models) get proportionally shorter spans.
  const maxLen = Math.min(spec.maxLen, Math.floor((width - 1) / 2));
  const minLen = Math.min(spec.minLen, maxLen);
  if (maxLen < 2) throw new Error(`rows of ${width} tokens are too short for repeated spans`);
  let changed = 0;
  for (let b = 0; b < batch; b++) {
    if (rng.float() >= spec.frac) continue;
    const len = minLen + rng.int(maxLen - minLen + 1);
    // Source in [1, width - 2·len], destination in [source + len, width - len]: the copy follows its original.
    const src = 1 + rng.int(width - 2 * len);
    let dst = src + len + rng.int(width - len - (src + len) + 1);
    // Only a spec with adjacent copies draws this coin, so older specs keep their draws.
    if (spec.adjacent && rng.float() < spec.adjacent) dst = src + len;
    const row = b * width;
    // Only "mixed" draws the coin, so the other kinds keep the draws of runs made before it existed.
    const random = spec.kind === "random" || (spec.kind === "mixed" && rng.float() < 0.5);
    if (random) for (let i = 0; i < len; i++) rows[row + src + i] = rng.int(randomIds);
    rows.copyWithin(row + dst, row + src, row + src + len);
    changed++;
  }
  return changed;
}
