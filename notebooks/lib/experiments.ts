/**
 * Running catalogue experiments from a notebook and turning them into the tables of the writeup.
 * Thin over `runExperiment` (the CLI's), so a notebook and `pnpm scrub` give the same numbers for
 * the same experiment, samples and seed.
 */
import { type ExperimentRun, runExperiment } from "@isc/node";
import { bootstrapRecovered, lossRecovered, TABLE_CATEGORIES } from "@isc/scrubbing";
import { type ExperimentTable, lossTableHtml, recoveredTableHtml, sideBySide } from "@isc/viz";
import _ from "lodash";
import type { OpenedModel } from "./model.js";

export interface RunManyOptions {
  samples: number;
  seed?: number;
  /** Hold this dataset row fixed (SAA mode): every sample is a resample of it. */
  idx?: number;
  attention?: "pattern" | "scores";
  /** Print one line per experiment (default true). */
  log?: boolean;
}

/** Runs experiments in order; prints "name: N samples in s" so a reader sees where time goes. */
export async function runMany(m: OpenedModel, names: readonly string[], options: RunManyOptions): Promise<Map<string, ExperimentRun>> {
  const out = new Map<string, ExperimentRun>();
  for (const name of names) {
    const run = await runExperiment(m.bundle, name, { samples: options.samples, seed: options.seed ?? 42, idx: options.idx, attention: options.attention });
    out.set(name, run);
    if (options.log !== false) console.log(`${name}: ${options.samples} samples${options.idx === undefined ? "" : ` of row ${options.idx}`} in ${run.manifest.timings.scrub_s.toFixed(1)} s`);
  }
  return out;
}

export const CATEGORY_LABELS: string[] = TABLE_CATEGORIES.map((c) => c.label);

export function tablesOf(runs: ReadonlyMap<string, ExperimentRun>, names?: readonly string[]): ExperimentTable[] {
  return (names ?? [...runs.keys()]).map((name) => ({ name, rows: runs.get(name)!.table }));
}

/** % recovered per category of each experiment against `baseline` and `unscrubbed` (which must be in `runs`). */
export function recoveredOf(
  runs: ReadonlyMap<string, ExperimentRun>,
  names: readonly string[],
  unscrubbed = "unscrubbed",
  baseline = "baseline",
): Float64Array[] {
  const u = runs.get(unscrubbed)?.table;
  const b = runs.get(baseline)?.table;
  if (!u || !b) throw new Error(`% recovered needs runs of "${unscrubbed}" and "${baseline}"`);
  return names.map((n) => lossRecovered(u, b, runs.get(n)!.table));
}

export interface LossAndRecoveredOptions {
  caption?: string;
  /** Reference fractions per experiment (e.g. the seed's), shown under each % recovered cell. */
  reference?: Record<string, ArrayLike<number>>;
  referenceLabel?: string;
  stats?: ("mean" | "variance" | "count")[];
}

/** The loss table with % loss recovered beside it, as the writeup presents its experiments. */
export function lossAndRecoveredHtml(runs: ReadonlyMap<string, ExperimentRun>, names: readonly string[], options: LossAndRecoveredOptions = {}): string {
  const scored = _.without(names, "unscrubbed", "baseline");
  const loss = lossTableHtml(tablesOf(runs, names), { caption: options.caption ?? "Per-token loss (nats) by token category", stats: options.stats });
  const rec = recoveredTableHtml(CATEGORY_LABELS, scored, recoveredOf(runs, scored), {
    caption: "% loss recovered: (baseline − exp) / (baseline − unscrubbed)",
    reference: options.reference,
    referenceLabel: options.referenceLabel,
    highlight: ["CANDIDATES"],
  });
  return sideBySide(loss, rec);
}

/** Mean loss of one category (by label) in a run. */
export function categoryMean(run: ExperimentRun, label: string): number {
  const r = run.table.find((x) => x.label === label || x.shortLabel === label);
  if (!r) throw new Error(`no category ${label}`);
  return r.mean;
}

/** % recovered of one experiment on one category, with the 95 % bootstrap interval over reference rows. */
export interface RecoveredPoint {
  name: string;
  recovered: number;
  lo: number;
  hi: number;
}

/**
 * % recovered on `category` for each of `names`, with the interval `scrub recovered` prints: the runs
 * must share their reference rows (same samples and seed), which are resampled together.
 */
export function recoveredWithIntervals(m: OpenedModel, runs: ReadonlyMap<string, ExperimentRun>, names: readonly string[], category = "CANDIDATES"): RecoveredPoint[] {
  const c = CATEGORY_LABELS.indexOf(category);
  if (c < 0) throw new Error(`no category ${category}`);
  const [u, b] = [runs.get("unscrubbed"), runs.get("baseline")];
  if (!u || !b) throw new Error(`% recovered needs runs of "unscrubbed" and "baseline"`);
  const masks = m.bundle.masks.gather(u.result.refRows);
  const recovered = recoveredOf(runs, names);
  return names.map((name, i) => {
    const e = runs.get(name)!;
    const iv = bootstrapRecovered({ unscrubbed: u.result.loss, baseline: b.result.loss, exp: e.result.loss }, masks, e.result.T);
    return { name, recovered: recovered[i]![c]!, lo: iv.lo[c]!, hi: iv.hi[c]! };
  });
}
