/**
 * One experiment end to end, as the original `run_experiment` did: build the hypothesis from the
 * catalogue, scrub, index the category masks with the sampled rows, make the 9-category table,
 * and optionally save the run and append to logs.csv.
 */
import path from "node:path";
import { initBackend } from "@isc/core";
import {
  ExactSampler,
  experimentCatalogue,
  categoryStandardErrors,
  FixedSampler,
  getExperiment,
  type LossTableRow,
  logsCsvHeader,
  logsCsvLine,
  lossTable,
  type Correspondence,
  evaluate,
  type PreparedScrub,
  prepareScrub,
  type ScrubResult,
} from "@isc/scrubbing";
import type { Bundle } from "./bundle.js";
import { basesFor } from "./run-bases.js";
import { ProgressBar } from "./progress.js";
import { appendLogsCsv, LOGS_CSV, type RunManifest, saveRun } from "./results.js";
import { checkFiniteLosses, checkRunFits } from "./run-bounds.js";
import { runRecord, sourceRows } from "./run-record.js";

export interface RunExperimentOptions {
  samples: number;
  seed?: number;
  /** Pin the root (and so all unscrubbed paths and the labels) to this dataset row: SAA mode. */
  idx?: number;
  attention?: "pattern" | "scores";
  batchSize?: number;
  /** A subspace experiment's basis file instead of the model's default (docs/semantics.md §5.5). */
  basis?: string;
  /** Save under this directory (results/<save>) and append to its logs.csv. */
  saveDir?: string;
  progress?: boolean;
}

export interface ExperimentRun {
  name: string;
  result: ScrubResult;
  table: LossTableRow[];
  manifest: RunManifest;
}

export async function runExperiment(bundle: Bundle, name: string, options: RunExperimentOptions): Promise<ExperimentRun> {
  const t0 = performance.now();
  const backend = await initBackend();
  const prep = prepareExperiment(bundle, name, options);
  const batchSize = options.batchSize ?? 32;
  const bar = options.progress ? new ProgressBar(name, options.samples) : null;
  const result = await evaluate(prep.prepared, { batchSize, attention: options.attention, onProgress: bar ? (done) => bar.update(done) : undefined });
  return recordRun(bundle, prep, result, { backend: `${backend.name} (${backend.detail})`, batchSize, t0, saveDir: options.saveDir });
}

/** A catalogue experiment's scrub, sampled and planned (no tensors yet): what a run or any shard of it evaluates. */
export interface PreparedExperiment {
  name: string;
  description: string;
  corr: Correspondence;
  prepared: PreparedScrub;
  /** The fixed dataset row of an SAA run, else undefined. */
  idx?: number;
  /** A subspace split's user-given basis file, else undefined (the model's own). */
  basis?: string;
}

export function prepareExperiment(bundle: Bundle, name: string, options: Pick<RunExperimentOptions, "samples" | "seed" | "idx" | "basis">): PreparedExperiment {
  const exp = getExperiment(experimentCatalogue(bundle.model.cfg, bundle.roles), name);
  if (options.idx !== undefined) bundle.dataset.check(options.idx);
  const root = options.idx === undefined ? new ExactSampler() : new FixedSampler(options.idx);
  const built = exp.build(root);
  const { corr } = built;
  const modification = basesFor(bundle, built.modification, options.basis);
  checkRunFits(options.samples, bundle.dataset.width - 1);
  const prepared = prepareScrub(bundle.model, bundle.dataset, corr, { samples: options.samples, seed: options.seed ?? 42, modification });
  return { name, description: exp.description, corr, prepared, idx: options.idx, basis: options.basis };
}

/** The run's tables and manifest from its per-token losses (one process's, or a sweep's merged shards); saved if asked. */
export function recordRun(
  bundle: Bundle,
  prep: PreparedExperiment,
  result: ScrubResult,
  context: { backend: string; batchSize: number; t0: number; saveDir?: string },
): ExperimentRun {
  const { name, prepared } = prep;
  checkFiniteLosses(name, result.loss);
  const masks = bundle.masks.gather(result.refRows);
  const table = lossTable(result.loss, masks);
  const se = categoryStandardErrors(result.loss, masks, result.T);
  const manifest: RunManifest = {
    experiment: name,
    description: prep.description,
    seed: prepared.seed,
    samples: prepared.samples,
    T: result.T,
    idx: prep.idx ?? null,
    model: { dir: bundle.dir, sha256: bundle.modelSha256, interim: bundle.card.interim === true },
    dataset: { path: bundle.datasetPath, sha256: bundle.datasetSha256, rows: bundle.dataset.rows },
    backend: context.backend,
    batch_size: context.batchSize,
    timings: { scrub_s: result.seconds, total_s: (performance.now() - context.t0) / 1000 },
    created: new Date().toISOString(),
    attention: result.attention ? { kind: result.attention.kind, heads: result.attention.heads } : null,
    table: table.map((r, i) => ({ label: r.label, mean: r.mean, se: se[i]!, variance: r.variance, count: r.count })),
    ...runRecord(prep.corr, result.assignment, prepared.modification),
    basis: prep.basis ?? null,
  };
  if (context.saveDir) {
    saveRun(context.saveDir, { manifest, loss: result.loss, rows: result.refRows, sources: sourceRows(result.assignment), attention: result.attention?.data });
    appendLogsCsv(path.join(path.dirname(context.saveDir), LOGS_CSV), logsCsvLine(name, prepared.seed, prepared.samples, new Date(), table), logsCsvHeader());
  }
  return { name, result, table, manifest };
}
