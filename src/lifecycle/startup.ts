// What "started" means for /health/startup: the schema this code expects is in place and
// the connections it needs are open. Until then the kubelet keeps the pod out of service.
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import type { Logger } from "../infra/logger";
import { pendingMigrations } from "../infra/migrations";
import { checkOutGuarded } from "../infra/postgres";

export interface StartupOptions {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly logger: Logger;
  /** Connections opened ahead of the first request. */
  readonly warmConnections: number;
  /** Aborted at shutdown, so a process that never started can still stop. */
  readonly signal: AbortSignal;
  readonly retryDelayMs?: number;
}

/**
 * Retries until the database is migrated and reachable: in Kubernetes the migration Job may
 * still be running when the first pod starts, and that is not a reason to crash-loop.
 */
export async function waitUntilStarted(options: StartupOptions): Promise<void> {
  const { logger } = options;
  let lastProblem = "";
  while (!options.signal.aborted) {
    try {
      const pending = await pendingMigrations(options.pool);
      if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(", ")}`);
      await warmPool(options.pool, options.warmConnections);
      await connectRedis(options.redis, logger);
      return;
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== lastProblem) logger.warn({ err: error }, "not started yet; retrying");
      lastProblem = problem;
      await sleep(options.retryDelayMs ?? 1000, undefined, { signal: options.signal }).catch(
        () => undefined,
      );
    }
  }
}

async function warmPool(pool: Pool, connections: number): Promise<void> {
  // Held together, so the pool really opens `connections` connections. Each is guarded while
  // held (checkOutGuarded): one that failed meanwhile is destroyed on release.
  const checkouts = await Promise.allSettled(
    Array.from({ length: connections }, () => checkOutGuarded(pool)),
  );
  for (const checkout of checkouts) if (checkout.status === "fulfilled") checkout.value.release();
  const refused = checkouts.find((checkout) => checkout.status === "rejected");
  if (refused) throw refused.reason;
}

/** Redis is a cache here: the service starts without it and keeps reconnecting. */
async function connectRedis(redis: Redis, logger: Logger): Promise<void> {
  if (redis.status !== "wait") return;
  await redis.connect().catch((error: unknown) => {
    logger.warn({ err: error }, "Redis unavailable at start; continuing without the cache");
  });
}
