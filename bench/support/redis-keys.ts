// The service caches products in Redis under the bench's own key prefix; those keys go at the end.
import { Redis } from "ioredis";

export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
// Per run, like the database: one run's clean-up never deletes another's keys.
export const BENCH_REDIS_PREFIX = `bench:${process.pid}:`;

export async function deleteBenchKeys(): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(
        cursor,
        "MATCH",
        `${BENCH_REDIS_PREFIX}*`,
        "COUNT",
        500,
      );
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
