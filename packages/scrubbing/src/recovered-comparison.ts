/**
 * One comparison's "% loss recovered" with its 95 % interval, from the three runs it compares: what
 * the CLI, the notebooks and the playground all show. The ratio and the bootstrap only mean
 * something when the three runs predicted the same reference rows (same seed and samples), so that
 * is checked rather than assumed.
 */
import { lossTable } from "./loss-table.js";
import type { TableMaskKey } from "./masks.js";
import { lossRecovered } from "./recovered.js";
import { type BootstrapOptions, bootstrapRecovered, type RecoveredInterval } from "./recovered-interval.js";
import type { ScrubResult } from "./evaluate-scrub.js";

/** What a comparison needs of a run: per-token losses [N·T] and the N reference rows they predict. */
export type RunLosses = Pick<ScrubResult, "loss" | "refRows" | "T">;

/** Category masks of given dataset rows (`CategoryMasks` has this; a test can pass its own). */
export interface MasksOfRows {
  gather(rows: Int32Array): Readonly<Partial<Record<TableMaskKey, Uint8Array>>>;
}

export interface RecoveredComparison {
  /** [categories] (baseline − exp) / (baseline − unscrubbed), as `lossRecovered`. */
  values: Float64Array;
  interval: RecoveredInterval;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

export function recoveredComparison(
  masks: MasksOfRows,
  runs: { unscrubbed: RunLosses; baseline: RunLosses; exp: RunLosses },
  options: BootstrapOptions = {},
): RecoveredComparison {
  const { unscrubbed, baseline, exp } = runs;
  for (const [name, r] of [["baseline", baseline], ["exp", exp]] as const) {
    if (r.T !== unscrubbed.T || !sameRows(r.refRows, unscrubbed.refRows)) {
      throw new RangeError(`the ${name} run predicts other rows than the unscrubbed run: % recovered compares runs with the same seed and samples`);
    }
  }
  const m = masks.gather(unscrubbed.refRows);
  const table = (r: RunLosses) => lossTable(r.loss, m, options.categories);
  return {
    values: lossRecovered(table(unscrubbed), table(baseline), table(exp)),
    interval: bootstrapRecovered({ unscrubbed: unscrubbed.loss, baseline: baseline.loss, exp: exp.loss }, m, unscrubbed.T, options),
  };
}
