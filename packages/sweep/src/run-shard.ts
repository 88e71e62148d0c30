/**
 * One shard on whatever machine pulled it: its run is prepared in full (every row drawn from the
 * spec's seed, the plan made; no tensors) and only the shard's rows are evaluated.
 */
import { initBackend, UsageError } from "@isc/core";
import { type Bundle, type PreparedExperiment, prepareExperiment } from "@isc/node";
import { evaluate } from "@isc/scrubbing";
import type { Shard } from "./shards.js";
import type { SweepSpec } from "./sweep-spec.js";

export interface ShardResult {
  /** [rows, T] per-token losses of the shard's rows. */
  loss: Float32Array;
  seconds: number;
}

let last: { key: string; prep: PreparedExperiment } | null = null;

export async function runShard(bundle: Bundle, spec: SweepSpec, shard: Shard, signal?: AbortSignal): Promise<ShardResult> {
  checkInputs(bundle, spec);
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const key = `${bundle.modelSha256}|${shard.experiment}|${shard.idx}|${spec.samples}|${spec.seed}`;
  // Shards of one run usually come one after another: their preparation is shared.
  if (last?.key !== key) last = { key, prep: prepareExperiment(bundle, shard.experiment, { samples: spec.samples, seed: spec.seed, idx: shard.idx }) };
  const r = await evaluate(last.prep.prepared, { batchSize: spec.batchSize, rows: { start: shard.start, end: shard.end }, signal });
  return { loss: r.loss, seconds: (performance.now() - t0) / 1000 };
}

/** A shard computed on other weights or rows would merge into nonsense: refused by sha256. */
function checkInputs(bundle: Bundle, spec: SweepSpec): void {
  if (bundle.modelSha256 !== spec.model.sha256) {
    throw new UsageError(`this worker's model (${bundle.dir}, sha256 ${bundle.modelSha256.slice(0, 12)}…) is not the sweep's (${spec.model.sha256.slice(0, 12)}…): start it with --model pointing at the same bundle`);
  }
  if (bundle.datasetSha256 !== spec.data.sha256) {
    throw new UsageError(`this worker's data (${bundle.datasetPath}) is not the sweep's (sha256 ${spec.data.sha256.slice(0, 12)}…): start it with the same --data`);
  }
}
