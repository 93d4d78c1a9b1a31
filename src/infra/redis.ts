import { Redis } from "ioredis";
import type { Config } from "../config";
import type { Logger } from "./logger";

/**
 * A Redis client that never makes a request wait on Redis: commands time out quickly, are not
 * queued while disconnected, and are not retried, so callers can fall back at once.
 */
export function createRedisClient(settings: Config["redis"], logger: Logger): Redis {
  const redis = new Redis(settings.url, {
    lazyConnect: true,
    keyPrefix: settings.keyPrefix,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 2000,
    // disconnect() ends the socket and arms a timer (default 2 s) that destroys it if it is
    // still half open. ioredis arms it even when the socket is already gone (a client between
    // reconnect attempts), so it always runs out and holds a closing process for 2 s. Nothing
    // waits on a socket we chose to drop: destroy it at once.
    disconnectTimeout: 0,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Reconnect forever with a capped delay: Redis coming back must not need a restart.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastState: "up" | "down" | undefined;
  redis.on("ready", () => {
    if (lastState !== "up") logger.info("Redis connection ready");
    lastState = "up";
  });
  // Without an 'error' listener ioredis logs to stderr; we log a state change once instead
  // of one line per reconnect attempt.
  redis.on("error", (error) => {
    if (lastState !== "down") logger.warn({ err: error }, "Redis connection failed");
    lastState = "down";
  });
  return redis;
}

/** QUIT when connected (lets pending replies arrive); otherwise just stop reconnecting. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    await redis.quit();
    return;
  }
  redis.disconnect();
}
