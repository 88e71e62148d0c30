/**
 * notes/data.md's fallback for induction heads that do not form on natural text alone: a share of
 * the training rows gets one span of the row copied further along the same row, so that "find the
 * earlier occurrence, predict what followed it" pays off often. The rows stay natural text around
 * the copy. Which rows and which spans depend only on (seed, step), so a resumed run draws exactly
 * what an uninterrupted one would.
 */
import { Rng } from "@isc/core";

export interface RepeatSpans {
  /** Chance that a row gets a repeated span. */
  frac: number;
  /** Span length, uniform in [minLen, maxLen] tokens. */
  minLen: number;
  maxLen: number;
}

export function repeatSpans(frac: number): RepeatSpans {
  return { frac, minLen: 16, maxLen: 96 };
}

/**
 * rows: int32 [batch, width], changed in place. Position 0 ([BEGIN]) is never written. Returns how
 * many rows got a span.
 */
export function applyRepeatSpans(rows: Int32Array, batch: number, width: number, spec: RepeatSpans, seed: number, step: number): number {
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
    const dst = src + len + rng.int(width - len - (src + len) + 1);
    const row = b * width;
    rows.copyWithin(row + dst, row + src, row + src + len);
    changed++;
  }
  return changed;
}
