/**
 * Running catalogue experiments from a notebook and turning them into the tables of the writeup.
 * Thin over `runExperiment` (the CLI's), so a notebook and `pnpm scrub` give the same numbers for
 * the same experiment, samples and seed.
 */
import { type ExperimentRun, runExperiment } from "@isc/node";
import { type RecoveredComparison, recoveredComparison, TABLE_CATEGORIES } from "@isc/scrubbing";
import { type ExperimentTable, fmtFixed, lossTableHtml, recoveredTableHtml, sideBySide } from "@isc/viz";
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

/** Each run's table with every mean's standard error (the manifest's rows carry it). */
export function tablesOf(runs: ReadonlyMap<string, ExperimentRun>, names?: readonly string[]): ExperimentTable[] {
  return (names ?? [...runs.keys()]).map((name) => ({ name, rows: runs.get(name)!.manifest.table }));
}

/**
 * % recovered per category of each experiment against `baseline` and `unscrubbed` (which must be in `runs`,
 * on the same rows), with its 95 % interval: the bootstrap over reference rows the CLI prints (1000 resamples, seed 0).
 */
export function recoveredOf(
  m: OpenedModel,
  runs: ReadonlyMap<string, ExperimentRun>,
  names: readonly string[],
  unscrubbed = "unscrubbed",
  baseline = "baseline",
): RecoveredComparison[] {
  const u = runs.get(unscrubbed)?.result;
  const b = runs.get(baseline)?.result;
  if (!u || !b) throw new Error(`% recovered needs runs of "${unscrubbed}" and "${baseline}"`);
  return names.map((n) => recoveredComparison(m.bundle.masks, { unscrubbed: u, baseline: b, exp: runs.get(n)!.result }));
}

/** The caption every % recovered table and chart of the notebooks carries: what the interval is. */
export function recoveredCaption(samples: number): string {
  return `% loss recovered: (baseline − exp) / (baseline − unscrubbed), with 95 % intervals (bootstrap over the ${samples} reference rows, 1000 resamples, seed 0)`;
}

export interface LossAndRecoveredOptions {
  caption?: string;
  /** Reference fractions per experiment (e.g. the seed's), shown under each % recovered cell. */
  reference?: Record<string, ArrayLike<number>>;
  referenceLabel?: string;
  stats?: ("mean" | "variance" | "count")[];
}

/** The loss table (each mean with its SE) with % loss recovered and its 95 % intervals beside it, as the writeup presents its experiments. */
export function lossAndRecoveredHtml(m: OpenedModel, runs: ReadonlyMap<string, ExperimentRun>, names: readonly string[], options: LossAndRecoveredOptions = {}): string {
  const scored = _.without(names, "unscrubbed", "baseline");
  const loss = lossTableHtml(tablesOf(runs, names), { caption: options.caption ?? "Per-token loss (nats) by token category; SE with rows as units", stats: options.stats });
  const comparisons = recoveredOf(m, runs, scored);
  const rec = recoveredTableHtml(CATEGORY_LABELS, scored, comparisons.map((c) => c.values), {
    caption: recoveredCaption(runs.get(names[0]!)!.manifest.samples),
    intervals: comparisons.map((c) => c.interval),
    reference: options.reference,
    referenceLabel: options.referenceLabel,
    highlight: ["CANDIDATES"],
  });
  return sideBySide(loss, rec);
}

/** Mean loss of one category (by label) in a run. */
export function categoryMean(run: ExperimentRun, label: string): number {
  return categoryRow(run, label).mean;
}

/** A category's mean loss with its standard error, for prose: "3.263 ± 0.012". */
export function fmtCategoryMean(run: ExperimentRun, label: string): string {
  const r = categoryRow(run, label);
  return `${fmtFixed(r.mean, 3)} ± ${fmtFixed(r.se, 3)}`;
}

function categoryRow(run: ExperimentRun, label: string) {
  const i = run.table.findIndex((x) => x.label === label || x.shortLabel === label);
  if (i < 0) throw new Error(`no category ${label}`);
  return run.manifest.table[i]!;
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
  return recoveredOf(m, runs, names).map(({ values, interval }, i) => ({ name: names[i]!, recovered: values[c]!, lo: interval.lo[c]!, hi: interval.hi[c]! }));
}
