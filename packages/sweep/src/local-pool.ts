/**
 * The embedded executor: shards run in a pool of worker threads (Piscina), one per core by
 * default, each with its share of the cores for the native kernels, so a sweep uses the whole
 * machine with no service to start.
 */
import os from "node:os";
import { Piscina } from "piscina";
import type { PoolTask } from "./pool-worker.js";
import type { ShardResult } from "./run-shard.js";
import type { Shard } from "./shards.js";
import type { SweepSpec } from "./sweep-spec.js";

export interface LocalPoolOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  modelDir: string;
  dataPath?: string;
}

/** Runs `shards` on the pool, calling `onResult` as each finishes (in any order); rejects on the first failure. */
export async function runOnLocalPool(
  spec: SweepSpec,
  shards: readonly Shard[],
  options: LocalPoolOptions,
  onResult: (shard: Shard, r: ShardResult) => void,
): Promise<void> {
  const cores = os.availableParallelism();
  const workers = Math.max(1, Math.min(options.workers ?? cores, shards.length));
  const pool = new Piscina<PoolTask, ShardResult>({
    filename: new URL("./pool-worker.js", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Each worker's kernels get an equal share of the cores: more threads than cores only contend.
    env: { ...process.env, SCRUB_THREADS: String(Math.max(1, Math.floor(cores / workers))) },
  });
  try {
    await Promise.all(
      shards.map(async (shard) => {
        const r = await pool.run({ modelDir: options.modelDir, dataPath: options.dataPath, spec, shard });
        onResult(shard, { loss: new Float32Array(r.loss), seconds: r.seconds });
      }),
    );
  } finally {
    await pool.destroy();
  }
}
