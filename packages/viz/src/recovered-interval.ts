/**
 * How sure a % loss recovered is, as plain arrays: a 95 % interval per category, and whether the
 * baseline − unscrubbed gap is itself told apart from 0 (the shape of @isc/scrubbing's
 * `bootstrapRecovered` result, which viz does not import). Where the gap is not, the ratio divides by
 * noise (MISLEADING INDUCTION can read −1,146 %), so every view marks that category with † and says
 * why in one note instead of showing a bare value.
 */
import { fmtFixed } from "./html.js";

export interface RecoveredIntervalLike {
  /** [categories] 2.5 % and 97.5 % quantiles of the recovered fraction (not ×100). */
  readonly lo: ArrayLike<number>;
  readonly hi: ArrayLike<number>;
  /** [categories] whether the baseline − unscrubbed gap's own 95 % interval reaches 0. */
  readonly gapUnclear: readonly boolean[];
}

export const UNCLEAR_MARK = "†";
/** The words the CLI prints under its table too (@isc/scrubbing's `formatRecoveredTable`). */
export const UNCLEAR_NOTE = `${UNCLEAR_MARK} the baseline − unscrubbed gap's own 95 % interval includes 0: the ratio means nothing there`;

/** A fraction as a percentage string: 0.8973 → "89.7%". */
export function fmtPercent(fraction: number, digits = 1): string {
  const s = fmtFixed(fraction * 100, digits);
  return /^-?(nan|inf)$/.test(s) ? s : `${s}%`;
}

/** An interval of fractions as percentages: "[80.1%, 95.0%]". */
export function fmtPercentInterval(lo: number, hi: number, digits = 1): string {
  return `[${fmtPercent(lo, digits)}, ${fmtPercent(hi, digits)}]`;
}

/** A recovered fraction with its interval and, where the gap is unclear, the mark: "89.7% [80.1%, 95.0%]". */
export function fmtRecovered(value: number, interval: RecoveredIntervalLike | undefined, i: number, digits = 1): string {
  if (!interval) return fmtPercent(value, digits);
  const mark = interval.gapUnclear[i] ? ` ${UNCLEAR_MARK}` : "";
  return `${fmtPercent(value, digits)} ${fmtPercentInterval(interval.lo[i]!, interval.hi[i]!, digits)}${mark}`;
}

/** Whether any experiment's interval marks category `i` (the gap is the same for every experiment of a comparison). */
export function unclearAt(intervals: readonly RecoveredIntervalLike[] | undefined, i: number): boolean {
  return intervals?.some((x) => x.gapUnclear[i] === true) ?? false;
}
