/**
 * The queue's address, checked before anything is sent: a redis:// or rediss:// URL, and a Redis
 * that answers within a few seconds. ioredis would otherwise retry forever in silence.
 */
import { Redis } from "ioredis";
import { ResourceError, UsageError } from "@isc/core";

export function parseQueueUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue "${url}" is not a URL: give redis://HOST:PORT`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new UsageError(`--queue "${url}" is not a redis:// or rediss:// URL`);
  if (!u.hostname) throw new UsageError(`--queue "${url}" names no host: give redis://HOST:PORT`);
  return u;
}

/** Connection options for BullMQ (which needs maxRetriesPerRequest null for its blocking calls). */
export function connectionFor(url: string): { url: string; maxRetriesPerRequest: null } {
  parseQueueUrl(url);
  return { url, maxRetriesPerRequest: null };
}

/** Fails with one line when nothing answers PING at `url` within `timeoutMs`. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  parseQueueUrl(url);
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let cause: NodeJS.ErrnoException | undefined; // the socket's own error (ECONNREFUSED, ENOTFOUND) says more than ioredis's
  redis.on("error", (e: NodeJS.ErrnoException) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const why = cause ?? (e as NodeJS.ErrnoException);
    throw new ResourceError(`cannot reach Redis at ${url}: ${why.code ?? why.message}`);
  } finally {
    redis.disconnect();
  }
}
