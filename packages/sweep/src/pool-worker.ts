/**
 * A worker process of the local pool: loads the bundle once, then runs the shards it is given.
 * Tinypool calls the default export once per task.
 */
import { type Bundle, loadBundle } from "@isc/node";
import { runShard, type ShardResult } from "./run-shard.js";
import type { Shard } from "./shards.js";
import type { SweepSpec } from "./sweep-spec.js";

export interface PoolTask {
  modelDir: string;
  dataPath?: string;
  spec: SweepSpec;
  shard: Shard;
}

let loaded: { key: string; bundle: Promise<Bundle> } | null = null;

export default async function runPoolTask(task: PoolTask): Promise<ShardResult> {
  const key = `${task.modelDir}|${task.dataPath ?? ""}`;
  if (loaded?.key !== key) loaded = { key, bundle: loadBundle(task.modelDir, { data: task.dataPath }) };
  return runShard(await loaded.bundle, task.spec, task.shard);
}
