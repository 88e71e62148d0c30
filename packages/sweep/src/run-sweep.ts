/**
 * A sweep end to end: check every target before any work, skip what an earlier start finished,
 * hand the missing shards to an executor (the local pool or the queue), store each as it arrives,
 * and merge a run as soon as its last shard is in: an ordinary saved run, the same bits as the
 * one-process run.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { initBackend } from "@isc/core";
import { type Bundle, prepareExperiment, recordRun, saveTarget } from "@isc/node";
import type { ShardResult } from "./run-shard.js";
import { ShardStore } from "./shard-store.js";
import { type Shard, shardsOf } from "./shards.js";
import { type SweepRun, sweepRuns, type SweepSpec } from "./sweep-spec.js";

/** Runs shards somewhere and reports each result as it arrives; resolves when all are in. */
export type Executor = (spec: SweepSpec, shards: readonly Shard[], onResult: (shard: Shard, r: ShardResult) => void) => Promise<void>;

export interface SweepOptions {
  resultsDir: string;
  executor: Executor;
  /** Start again: replace runs and shards of that name. */
  force?: boolean;
  /** (shards done, of all shards), counting those finished by an earlier start. */
  onProgress?: (done: number, total: number) => void;
}

export interface SweepOutcome {
  /** The saved runs' folders, in the sweep's order. */
  runs: string[];
  /** Shards computed now, and shards an earlier start had finished. */
  computed: number;
  reused: number;
}

export async function runSweep(bundle: Bundle, spec: SweepSpec, options: SweepOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  const store = new ShardStore(options.resultsDir, spec.name);
  const runs = sweepRuns(spec);
  const dirOf = (r: SweepRun) => path.join(options.resultsDir, r.runName);
  store.check(spec, { force: options.force });
  const resuming = store.resumable(spec) && !options.force;
  const todo = runs.filter((r) => !(resuming && existsSync(dirOf(r))));
  for (const r of todo) saveTarget(options.resultsDir, r.runName, { force: options.force }); // every target, before any work
  store.open(spec, { force: options.force });
  const shards = new Map(todo.map((r) => [r, shardsOf(spec, r)]));
  const all = [...shards.values()].flat();
  const missing = all.filter((s) => !store.has(s.id));
  let done = runs.flatMap((r) => shardsOf(spec, r)).length - missing.length;
  const total = done + missing.length;
  options.onProgress?.(done, total);
  const backend = await initBackend({ quiet: true });
  const merge = (r: SweepRun) => mergeRun(bundle, spec, store, r, shards.get(r)!, { backend: `${backend.name} (${backend.detail}); sharded`, t0, dir: dirOf(r) });
  for (const r of todo) if (shards.get(r)!.every((s) => store.has(s.id))) merge(r);
  await options.executor(spec, missing, (shard, result) => {
    store.put(shard.id, result.loss, result.seconds);
    options.onProgress?.(++done, total);
    const run = todo.find((r) => r.runName === shard.runName)!;
    if (shards.get(run)!.every((s) => store.has(s.id))) merge(run);
  });
  return { runs: runs.map(dirOf), computed: missing.length, reused: all.length - missing.length };
}

/** A run's shards in row order, recorded and saved as any run, then dropped. */
function mergeRun(bundle: Bundle, spec: SweepSpec, store: ShardStore, run: SweepRun, shards: Shard[], ctx: { backend: string; t0: number; dir: string }): void {
  const prep = prepareExperiment(bundle, run.experiment, { samples: spec.samples, seed: spec.seed, idx: run.idx });
  const T = prep.prepared.T;
  const loss = new Float32Array(spec.samples * T);
  let seconds = 0;
  for (const s of shards) {
    const got = store.get(s.id, (s.end - s.start) * T);
    loss.set(got.loss, s.start * T);
    seconds += got.seconds;
  }
  const { refRows, assignment } = prep.prepared;
  recordRun(bundle, prep, { loss, T, samples: spec.samples, refRows, assignment, seconds }, { backend: ctx.backend, batchSize: spec.batchSize, t0: ctx.t0, saveDir: ctx.dir });
  store.drop(shards.map((s) => s.id));
}
