/**
 * How sure a "% loss recovered" is: a 95 % interval per category by the bootstrap over reference
 * rows. The unscrubbed, baseline and scrubbed runs of one comparison share their reference rows
 * (same seed, same samples), so a row is resampled together in all three and the ratio is
 * recomputed from the resampled category means. Tokens of one row are not independent (a row's
 * losses move together), which is why rows, not tokens, are resampled.
 */
import { Rng } from "@isc/core";
import { TABLE_CATEGORIES, type CategoryInfo, type TableMaskKey } from "./masks.js";
import { categoryMasks, rowCounts, rowSums } from "./row-sums.js";

export interface RecoveredRuns {
  /** Per-token losses [N·T] of the three runs on the same N reference rows. */
  unscrubbed: Float32Array;
  baseline: Float32Array;
  exp: Float32Array;
}

export interface RecoveredInterval {
  /** [categories] 2.5 % and 97.5 % quantiles of the bootstrapped ratio. */
  lo: Float64Array;
  hi: Float64Array;
  /** [categories] whether the baseline − unscrubbed gap's own interval reaches 0: then the ratio means nothing. */
  gapUnclear: boolean[];
}

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  reps?: number;
  /** Seed of the resampling (default 0): the same inputs always give the same interval. */
  seed?: number;
  categories?: readonly CategoryInfo[];
}

/** The q-quantile of the finite values (NaN when there are none). */
function quantile(xs: Float64Array, q: number): number {
  const finite = Float64Array.from(xs.filter(Number.isFinite)).sort();
  if (finite.length === 0) return NaN;
  return finite[Math.min(finite.length - 1, Math.floor(q * finite.length))]!;
}

export function bootstrapRecovered(
  runs: RecoveredRuns,
  masks: Readonly<Partial<Record<TableMaskKey, Uint8Array>>>,
  T: number,
  options: BootstrapOptions = {},
): RecoveredInterval {
  const categories = options.categories ?? TABLE_CATEGORIES;
  const N = runs.exp.length / T;
  const C = categories.length;
  const mask = categoryMasks(masks, categories, N * T);
  const [u, b, e] = [runs.unscrubbed, runs.baseline, runs.exp].map((l) => rowSums(l, mask, N, T));
  const n = rowCounts(mask, N, T);
  const reps = options.reps ?? 1000;
  const rng = new Rng(options.seed ?? 0);
  const ratio = Array.from({ length: C }, () => new Float64Array(reps));
  const gap = Array.from({ length: C }, () => new Float64Array(reps));
  const acc = new Float64Array(4 * C); // unscrubbed, baseline, exp sums and counts per category
  for (let k = 0; k < reps; k++) {
    acc.fill(0);
    for (let i = 0; i < N; i++) {
      const r = rng.int(N) * C;
      for (let c = 0; c < C; c++) {
        acc[c] += u[r + c]!;
        acc[C + c] += b[r + c]!;
        acc[2 * C + c] += e[r + c]!;
        acc[3 * C + c] += n[r + c]!;
      }
    }
    for (let c = 0; c < C; c++) {
      const [mu, mb, me] = [acc[c]!, acc[C + c]!, acc[2 * C + c]!].map((s) => s / acc[3 * C + c]!);
      gap[c]![k] = mb - mu;
      ratio[c]![k] = (mb - me) / (mb - mu);
    }
  }
  return {
    lo: Float64Array.from(ratio, (x) => quantile(x, 0.025)),
    hi: Float64Array.from(ratio, (x) => quantile(x, 0.975)),
    gapUnclear: gap.map((g) => !(quantile(g, 0.025) > 0 || quantile(g, 0.975) < 0)),
  };
}
