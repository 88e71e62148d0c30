/**
 * Re-evaluates a saved run from its files alone: the rows every source saw (sources.i32) and the
 * source each path read (manifest.json) rebuild the scrub without sampling anything, so a run can
 * be checked without trusting the hypothesis code or the seed that made it.
 */
import { FormatError, initBackend, UsageError } from "@isc/core";
import { enumeratePaths, evaluate, ExactSampler, experimentCatalogue, getExperiment, type InputAssignment, type Path, pathKey, prepareAssigned } from "@isc/scrubbing";
import type { Bundle } from "./bundle.js";
import { basesFor } from "./run-bases.js";
import type { SavedRun } from "./results.js";

export interface Recheck {
  samples: number;
  T: number;
  /** The largest |saved − recomputed| per-token loss. */
  maxAbsDiff: number;
  /** Per-token losses that differ by more than the tolerance. */
  differing: number;
}

export interface RecheckOptions {
  batchSize?: number;
  /** |Δ| allowed per token: kernels and batch sizes move float32 sums by ~1e-6. */
  tolerance?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function recheckRun(bundle: Bundle, run: SavedRun, options: RecheckOptions = {}): Promise<Recheck> {
  const m = run.manifest;
  checkSameInputs(bundle, run);
  await initBackend(); // the run's own backend choice, so its kernels sum in the same order
  const built = getExperiment(experimentCatalogue(bundle.model.cfg, bundle.roles), m.experiment).build(new ExactSampler());
  const modification = basesFor(bundle, built.modification, m.basis ?? undefined);
  if ((modification?.name ?? null) !== m.modification) {
    throw new FormatError(`${m.experiment} now modifies the model as ${modification?.name ?? "nothing"}; the run recorded ${m.modification ?? "nothing"}`);
  }
  const paths = enumeratePaths(bundle.model.cfg, modification?.splits ?? []);
  const prepared = prepareAssigned(bundle.model, bundle.dataset, savedAssignment(run, paths), { seed: m.seed, modification });
  const result = await evaluate(prepared, { batchSize: options.batchSize ?? m.batch_size, onProgress: options.onProgress });
  const tolerance = options.tolerance ?? 1e-4;
  let maxAbsDiff = 0;
  let differing = 0;
  result.loss.forEach((x, i) => {
    const d = Math.abs(x - run.loss[i]!);
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(d) ? Infinity : d);
    if (!(d <= tolerance)) differing++;
  });
  return { samples: m.samples, T: m.T, maxAbsDiff, differing };
}

/** The model and data the run was made on, by sha256: a re-check on other weights means nothing. */
function checkSameInputs(bundle: Bundle, run: SavedRun): void {
  const m = run.manifest;
  if (bundle.modelSha256 !== m.model.sha256) {
    throw new UsageError(`${m.experiment} was run on the model in ${m.model.dir} (sha256 ${m.model.sha256.slice(0, 12)}…), not this one (${bundle.modelSha256.slice(0, 12)}…): pass --model ${m.model.dir}`);
  }
  if (bundle.datasetSha256 !== m.dataset.sha256) {
    throw new UsageError(`${m.experiment} was run on ${m.dataset.path} (sha256 ${m.dataset.sha256.slice(0, 12)}…), not ${bundle.datasetPath}: pass --data ${m.dataset.path}`);
  }
}

/** Each source's rows and each path's source, from sources.i32 and the manifest's path list. */
function savedAssignment(run: SavedRun, paths: Path[]): InputAssignment {
  const m = run.manifest;
  const keys = paths.map(pathKey);
  const N = m.samples;
  if (!m.sources || run.sources.length !== m.sources.length * N) {
    throw new FormatError(`${m.experiment}: this run was saved without every source's rows (sources.i32), so it cannot be re-evaluated`);
  }
  const saved = new Map(m.paths.map((p) => [p.path, p.source]));
  const missing = keys.filter((k) => !saved.has(k));
  if (missing.length > 0 || saved.size !== keys.length) {
    throw new FormatError(`${m.experiment}: the manifest lists ${saved.size} paths, the model has ${keys.length}${missing.length ? ` (e.g. "${missing[0]}" is missing)` : ""}`);
  }
  return {
    paths,
    sourceOf: Int32Array.from(keys, (k) => saved.get(k)!),
    sourceNames: m.sources,
    sources: m.sources.map((_, i) => run.sources.subarray(i * N, (i + 1) * N)),
    labelSource: 0,
  };
}
