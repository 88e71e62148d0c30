/**
 * What a sweep computes, fixed when it starts and checked when it resumes: the experiments, the
 * examples (SAA runs) or none, the samples, seed and batch size that decide every row, the shard
 * size, and the model and data by sha256. Everything a shard's losses depend on is here.
 */
import { UsageError } from "@isc/core";

export interface SweepSpec {
  /** The sweep's --save name: its runs are results/NAME.<run>. */
  name: string;
  experiments: string[];
  /** Fixed dataset rows of SAA runs (FixedSampler(i)), or null for ordinary runs. */
  examples: number[] | null;
  samples: number;
  seed: number;
  batchSize: number;
  /** Rows per shard: a multiple of the batch size, so shards are runs of whole batches. */
  shardRows: number;
  model: { sha256: string };
  data: { sha256: string };
}

/** One run of a sweep: an experiment, with its fixed example in SAA mode. */
export interface SweepRun {
  experiment: string;
  idx?: number;
  /** Its saved run's name in the results folder. */
  runName: string;
}

export function sweepRuns(spec: SweepSpec): SweepRun[] {
  if (!spec.examples) return spec.experiments.map((e) => ({ experiment: e, runName: `${spec.name}.${e}` }));
  return spec.examples.flatMap((i) => spec.experiments.map((e) => ({ experiment: e, idx: i, runName: `${spec.name}.${e}_saa_${i}` })));
}

/** The shard size: the request rounded up to whole batches (default: 8 batches). */
export function shardRowsFor(batchSize: number, requested?: number): number {
  const rows = requested ?? 8 * batchSize;
  if (!Number.isInteger(rows) || rows < 1) throw new UsageError(`--shard-rows must be a positive integer, got ${rows}`);
  return Math.ceil(rows / batchSize) * batchSize;
}

/** Why a resumed sweep cannot reuse what an earlier start left, or null when it can. */
export function specMismatch(saved: SweepSpec, now: SweepSpec): string | null {
  for (const k of ["experiments", "examples", "samples", "seed", "batchSize", "shardRows", "model", "data"] as const) {
    if (JSON.stringify(saved[k]) !== JSON.stringify(now[k])) return `${k} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(now[k])}`;
  }
  return null;
}
