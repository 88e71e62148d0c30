/**
 * `scrub worker`: pulls shards from the queue one at a time and returns their losses. A shard for
 * another model or data is refused for good (the job fails at once, and the sweep says why); any
 * other error is retried by the queue. A worker killed mid-shard holds its job's lock no longer, so
 * after `lockSeconds` another worker takes the shard and it is computed once more, never merged twice.
 */
import { UnrecoverableError, Worker } from "bullmq";
import { IscError, ResourceError } from "@isc/core";
import type { Bundle } from "@isc/node";
import { type ShardJob, type ShardJobResult, QUEUE_NAME } from "./queue-executor.js";
import { checkRedis, connectionFor } from "./redis-url.js";
import { runShard } from "./run-shard.js";

export interface QueueWorkerOptions {
  /** How long a job's lock lasts without renewal (default 30 s): a dead worker's shard waits this long. */
  lockSeconds?: number;
  onStart?: (job: ShardJob) => void;
  onDone?: (job: ShardJob, seconds: number) => void;
  /**
   * What the queue reports along the way, e.g. a lock not renewed in time (the shard then runs
   * again elsewhere, and this worker's result is refused by the queue, so it is merged once).
   */
  onWarning?: (message: string) => void;
}

/** Runs until `signal` aborts; resolves once the current shard (if any) is finished or abandoned. */
export async function runQueueWorker(url: string, bundle: Bundle, signal: AbortSignal, options: QueueWorkerOptions = {}): Promise<void> {
  await checkRedis(url);
  const lockDuration = Math.round(1000 * (options.lockSeconds ?? 30));
  const worker = new Worker<ShardJob, ShardJobResult>(
    QUEUE_NAME,
    async (job) => {
      options.onStart?.(job.data);
      try {
        const r = await runShard(bundle, job.data.spec, job.data.shard);
        options.onDone?.(job.data, r.seconds);
        return { loss: Buffer.from(r.loss.buffer, r.loss.byteOffset, r.loss.byteLength).toString("base64"), seconds: r.seconds };
      } catch (e) {
        // Wrong model or data, an unknown experiment: retrying cannot help.
        if (e instanceof IscError && !(e instanceof ResourceError)) throw new UnrecoverableError(e.message);
        throw e;
      }
    },
    { connection: connectionFor(url), concurrency: 1, lockDuration, stalledInterval: lockDuration, maxStalledCount: 3 },
  );
  worker.on("error", (e) => options.onWarning?.(e.message));
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  await worker.close();
}
