export { type SweepSpec, type SweepRun, sweepRuns, shardRowsFor } from "./sweep-spec.js";
export { type Shard, shardsOf } from "./shards.js";
export { runSweep, type Executor, type SweepOptions, type SweepOutcome } from "./run-sweep.js";
export { runOnLocalPool, type LocalPoolOptions } from "./local-pool.js";
export { queueExecutor, QUEUE_NAME } from "./queue-executor.js";
export { runQueueWorker, type QueueWorkerOptions } from "./queue-worker.js";
export { parseQueueUrl, checkRedis } from "./redis-url.js";
