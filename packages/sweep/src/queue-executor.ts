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
      const jobId = (s: Shard) => `${key}.${s.id}`;
      await queue.addBulk(shards.map((shard) => ({ name: shard.id, data: { spec, shard }, opts: { jobId: jobId(shard), attempts: 3, backoff: { type: "fixed", delay: 1000 } } })));
      const pending = new Map(shards.map((s) => [jobId(s), s]));
      while (pending.size > 0) {
        for (const [id, shard] of pending) {
          const job = await queue.getJob(id);
          if (!job) throw new ResourceError(`shard ${shard.id}'s job ${id} vanished from the queue (was Redis flushed?); run the sweep again to resubmit it`);
          const state = await job.getState();
          if (state === "failed") throw new ResourceError(`shard ${shard.id} failed on a worker: ${job.failedReason}`);
          if (state !== "completed") continue;
          const r = job.returnvalue;
          const b = Buffer.from(r.loss, "base64");
          onResult(shard, { loss: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), seconds: r.seconds });
          pending.delete(id);
          await job.remove().catch(() => {}); // only tidying: a job still locked is left to Redis's own expiry
        }
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      }
    } finally {
      await queue.close();
    }
  };
}
