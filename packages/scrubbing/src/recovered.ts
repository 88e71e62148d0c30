/**
 * "% loss recovered" (docs/semantics.md §5.4; REMIX d3, causal scrubbing appendix):
 * `(L_baseline − L_exp) / (L_baseline − L_unscrubbed)`, per category. 1 = the hypothesis explains all the loss the
 * baseline scrub destroys, 0 = none of it. The baseline here is "induction heads fully scrubbed", not "all inputs
 * scrubbed", and Redwood's headline number is the CANDIDATES category.
 */
import { formatPyFixed } from "./loss-table.js";
import { TABLE_CATEGORIES, type CategoryInfo } from "./masks.js";
import type { RecoveredInterval } from "./recovered-interval.js";

/** Per-category means in table order: plain numbers, or rows with a `mean` (e.g. `lossTable`'s output). */
export type MeansLike = ArrayLike<number> | readonly { readonly mean: number }[];

function meanAt(m: MeansLike, i: number): number {
  const v = m[i]!;
  return typeof v === "number" ? v : v.mean;
}

/**
 * @returns `Float64Array[categories]`: the recovered fraction per category (not ×100). A category whose baseline
 *   equals its unscrubbed loss gives ±Infinity or NaN, as the formula does.
 */
export function lossRecovered(unscrubbed: MeansLike, baseline: MeansLike, exp: MeansLike): Float64Array {
  const n = exp.length;
  if (unscrubbed.length !== n || baseline.length !== n) {
    throw new RangeError(`tables differ in length: unscrubbed ${unscrubbed.length}, baseline ${baseline.length}, exp ${n}`);
  }
  const out = new Float64Array(n); // [categories]
  for (let i = 0; i < n; i++) {
    const b = meanAt(baseline, i);
    out[i] = (b - meanAt(exp, i)) / (b - meanAt(unscrubbed, i));
  }
  return out;
}

export interface FormatRecoveredOptions {
  /** "long" (default: the seed's names, one name per category everywhere) or "short" (REPO @e30ba3d's "NERB UR"). */
  readonly labels?: "long" | "short";
  /** Decimals (default 3, as docs/semantics.md §10.2). */
  readonly digits?: number;
  readonly categories?: readonly CategoryInfo[];
  /** One per experiment: each cell then reads "0.208 [0.150, 0.266]", and categories whose gap is unclear are marked. */
  readonly intervals?: readonly RecoveredInterval[];
}

const UNCLEAR = "†";

/**
 * A category × experiment text table of recovered fractions for the CLI: a header line of experiment names, then
 * one line per category; label column left-aligned, numbers right-aligned (Python-style rounding, "nan" for NaN).
 * @param recovered one `Float64Array[categories]` per experiment, in the order of `expNames`.
 */
export function formatRecoveredTable(
  expNames: readonly string[],
  recovered: readonly ArrayLike<number>[],
  options: FormatRecoveredOptions = {},
): string {
  if (expNames.length !== recovered.length) {
    throw new RangeError(`${expNames.length} experiment names but ${recovered.length} columns`);
  }
  const categories = options.categories ?? TABLE_CATEGORIES;
  const digits = options.digits ?? 3;
  const iv = options.intervals;
  const unclear = categories.map((_, i) => iv?.some((x) => x.gapUnclear[i]) ?? false);
  const labels = categories.map((c, i) => (options.labels === "short" ? c.shortLabel : c.label) + (unclear[i] ? ` ${UNCLEAR}` : ""));
  const labelWidth = Math.max("category".length, ...labels.map((l) => l.length));
  const fmt = (x: number) => formatPyFixed(x, digits);
  const cell = (j: number, i: number) => fmt(recovered[j]![i]!) + (iv ? ` [${fmt(iv[j]!.lo[i]!)}, ${fmt(iv[j]!.hi[i]!)}]` : "");
  const cells = recovered.map((_, j) => categories.map((_c, i) => cell(j, i)));
  const widths = expNames.map((name, j) => Math.max(name.length, ...cells[j]!.map((c) => c.length)));
  const line = (first: string, rest: readonly string[]): string =>
    [first.padEnd(labelWidth), ...rest.map((s, j) => s.padStart(widths[j]!))].join("  ").trimEnd() + "\n";
  const note = unclear.some(Boolean) ? `${UNCLEAR} the baseline − unscrubbed gap's own 95 % interval includes 0: the ratio means nothing there\n` : "";
  return line("category", expNames) + labels.map((l, i) => line(l, cells.map((col) => col[i]!))).join("") + note;
}
