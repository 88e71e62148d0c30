/**
 * The embedded executor: shards run in a pool of child processes (Tinypool), one per core by
 * default, each with its share of the cores for the native kernels, so a sweep uses the whole
 * machine with no service to start. Processes, not threads: the native kernels' thread pool is
 * one per process and takes one caller at a time, so worker threads would queue on it.
 */
import os from "node:os";
import { Tinypool } from "tinypool";
import type { PoolTask } from "./pool-worker.js";
import type { ShardResult } from "./run-shard.js";
import type { Shard } from "./shards.js";
import type { SweepSpec } from "./sweep-spec.js";

export interface LocalPoolOptions {
  /** Worker processes (default: one per core). */
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
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const pool = new Tinypool({
    filename: new URL("./pool-worker.js", import.meta.url).href,
    runtime: "child_process",
    serialization: "advanced", // typed arrays cross the pipe as typed arrays
    minThreads: workers,
    maxThreads: workers,
    // Each worker's kernels get an equal share of the cores: more threads than cores only contend.
    env: { ...env, SCRUB_THREADS: String(Math.max(1, Math.floor(cores / workers))), SCRUB_QUIET: "1" },
  });
  try {
    await Promise.all(
      shards.map(async (shard) => {
        const r = (await pool.run({ modelDir: options.modelDir, dataPath: options.dataPath, spec, shard } satisfies PoolTask)) as ShardResult;
        onResult(shard, { loss: Float32Array.from(r.loss), seconds: r.seconds });
      }),
    );
  } finally {
    await pool.destroy();
  }
}
