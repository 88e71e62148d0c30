/**
 * The many-machine executor: each missing shard becomes a BullMQ job (its id names the sweep and
 * the shard, so submitting again adds nothing twice), `scrub worker`s anywhere pull them, and the
 * results travel back through Redis as the job's return value, to be stored and merged here.
 * Retries, and jobs whose worker died, are BullMQ's (attempts, stalled-job recovery).
 */
import { createHash } from "node:crypto";
import { Queue } from "bullmq";
import { ResourceError } from "@isc/core";
import { checkRedis, connectionFor } from "./redis-url.js";
import type { Executor } from "./run-sweep.js";
import type { Shard } from "./shards.js";
import type { SweepSpec } from "./sweep-spec.js";

/** The one queue every sweep and worker shares; a job's data says which sweep it belongs to. */
export const QUEUE_NAME = "isc-scrub-shards";

export interface ShardJob {
  spec: SweepSpec;
  shard: Shard;
}

/** What a worker returns: the losses as base64 float32 (JSON-safe), and its time. */
export interface ShardJobResult {
  loss: string;
  seconds: number;
}

export function queueExecutor(url: string, options: { pollMs?: number } = {}): Executor {
  return async (spec, shards, onResult) => {
    await checkRedis(url);
    const queue = new Queue<ShardJob, ShardJobResult>(QUEUE_NAME, { connection: connectionFor(url) });
    try {
      const key = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 12);
      const pending = new Map(shards.map((s) => [`${key}.${s.id}`, s]));
      await queue.addBulk([...pending].map(([jobId, shard]) => ({ name: shard.id, data: { spec, shard }, opts: { jobId, attempts: 3, backoff: { type: "fixed", delay: 1000 } } })));
      // Submitting again adds nothing for ids already there: shards that failed before get another chance.
      for (const job of await queue.getJobs(["failed"])) if (pending.has(job.id!)) await job.retry();
      for (let poll = 1; pending.size > 0; poll++) {
        await collect(queue, pending, onResult);
        if (poll % 40 === 0) await checkNoneVanished(queue, pending);
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      }
    } finally {
      await queue.close();
    }
  };
}

/** Takes this sweep's finished jobs off the queue (one listing per poll, not one call per shard); a failed one ends the sweep. */
async function collect(queue: Queue<ShardJob, ShardJobResult>, pending: Map<string, Shard>, onResult: Parameters<Executor>[2]): Promise<void> {
  for (const job of await queue.getJobs(["failed"])) {
    const shard = pending.get(job.id!);
    if (shard) throw new ResourceError(`shard ${shard.id} failed on a worker: ${job.failedReason}`);
  }
  for (const job of await queue.getJobs(["completed"])) {
    const shard = pending.get(job.id!);
    if (!shard) continue;
    const b = Buffer.from(job.returnvalue.loss, "base64");
    onResult(shard, { loss: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), seconds: job.returnvalue.seconds });
    pending.delete(job.id!);
    await job.remove().catch(() => {}); // only tidying: a job still locked is left to Redis's own expiry
  }
}

/** Every ~10 s: a job gone from Redis (flushed, evicted) would otherwise leave the sweep waiting for ever. */
async function checkNoneVanished(queue: Queue<ShardJob, ShardJobResult>, pending: Map<string, Shard>): Promise<void> {
  for (const [id, shard] of pending) {
    if ((await queue.getJobState(id)) === "unknown") throw new ResourceError(`shard ${shard.id}'s job ${id} vanished from the queue (was Redis flushed?); run the sweep again to resubmit it`);
  }
}
