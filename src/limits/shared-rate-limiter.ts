// A per-caller request limit that every replica shares, because the counts live in Redis
// (rate-limiter-flexible's RateLimiterRedis: a fixed window per key, opened by the key's first
// request). Redis trouble never becomes the caller's trouble: the limiter then fails open - the
// request goes on uncounted - logs that at most once a minute and counts every such request.
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../infra/logger";
import type { Metrics } from "../infra/metrics";

/** Redis counted the request. */
export interface CountedRequest {
  readonly failedOpen: false;
  /** False when the request is over the limit and must be refused. */
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests the caller has left in its current window. */
  readonly remaining: number;
  /** Whole seconds, at least 1, until the caller's window ends and its count starts again. */
  readonly resetS: number;
  /** The same, in milliseconds as Redis has it (0 or more). */
  readonly resetMs: number;
}

/** Redis could not count the request: it goes on, unlimited. */
export interface FailedOpen {
  readonly failedOpen: true;
}

export type RateLimitDecision = CountedRequest | FailedOpen;

export interface SharedRateLimiter {
  /** The policy: `requests` per caller per `windowS` seconds. */
  readonly requests: number;
  readonly windowS: number;
  /**
   * Counts `points` requests (1 by default) of `key`'s caller. Never rejects: a Redis failure
   * fails open.
   */
  consume(key: string, points?: number): Promise<RateLimitDecision>;
}

export interface SharedRateLimiterOptions {
  /** Our client (src/infra/redis.ts): no offline queue, a command timeout, a key prefix. */
  readonly redis: Redis;
  readonly requests: number;
  readonly windowS: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Below the client's own prefix: `<REDIS_KEY_PREFIX><keyPrefix>:<key>`. */
  readonly keyPrefix?: string;
  /** How long Redis is left alone after a failure. */
  readonly redisPauseMs?: number;
  /** A monotonic clock in ms; tests move it by hand. */
  readonly now?: () => number;
}

// One line a minute is enough to say "Redis is down and requests are not limited"; the
// counter metric gives the exact number.
const WARNING_INTERVAL_MS = 60_000;
// A black-holed Redis (a connected socket that never answers) makes every command wait the
// full commandTimeout. Without a pause every request would pay it; with it, a failure sends the
// next second's requests straight on and then one request alone probes Redis again, so about
// one request a second per replica pays the timeout. 1 s also bounds how long requests go
// uncounted once Redis is back.
const DEFAULT_REDIS_PAUSE_MS = 1000;

export function createSharedRateLimiter(options: SharedRateLimiterOptions): SharedRateLimiter {
  const { redis, requests, windowS, logger, metrics } = options;
  // The library keeps whole seconds only (RateLimiterRedis.js, `Math.floor(msDuration / 1000)`)
  // and a window under 1 s would become a counter that never expires.
  if (!Number.isInteger(requests) || requests < 1) {
    throw new Error(`requests must be a positive integer, not ${requests}`);
  }
  if (!Number.isInteger(windowS) || windowS < 1) {
    throw new Error(`windowS must be a positive integer of seconds, not ${windowS}`);
  }
  const now = options.now ?? (() => performance.now());
  const redisPauseMs = options.redisPauseMs ?? DEFAULT_REDIS_PAUSE_MS;
  const counter = new RateLimiterRedis({
    storeClient: redis,
    points: requests,
    duration: windowS,
    keyPrefix: options.keyPrefix ?? "rate-limit",
    // The request that uses a caller's last point also marks the caller blocked in this
    // process until its window ends (RateLimiterStoreAbstract.js, _afterConsume, when no
    // inMemoryBlockDuration is set): a caller hammering on over the limit is then refused
    // from memory, without a Redis round trip per refused request.
    inMemoryBlockOnConsumed: requests,
  });

  // Set after a failure: until then, Redis is not asked.
  let redisPausedUntil: number | undefined;
  let probeInFlight = false;
  let lastWarningAt: number | undefined;
  let failedOpenSinceWarning = 0;

  function failOpen(error?: unknown): FailedOpen {
    metrics.increment("rate_limit.failed_open");
    failedOpenSinceWarning += 1;
    const due = lastWarningAt === undefined || now() - lastWarningAt >= WARNING_INTERVAL_MS;
    if (error !== undefined && due) {
      logger.warn(
        { err: error, failedOpenRequests: failedOpenSinceWarning },
        "rate limiter cannot reach Redis: requests go on unlimited",
      );
      lastWarningAt = now();
      failedOpenSinceWarning = 0;
    }
    return { failedOpen: true };
  }

  function counted(allowed: boolean, result: RateLimiterRes): CountedRequest {
    return {
      failedOpen: false,
      allowed,
      limit: requests,
      remaining: result.remainingPoints,
      resetS: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
      resetMs: Math.max(0, result.msBeforeNext),
    };
  }

  return {
    requests,
    windowS,
    async consume(key, points = 1) {
      let probe = false;
      if (redisPausedUntil !== undefined) {
        // After the pause one request alone finds out whether Redis answers again; the others
        // do not queue up behind it on a Redis that may still be silent.
        if (now() < redisPausedUntil || probeInFlight) return failOpen();
        probe = true;
        probeInFlight = true;
      }
      try {
        const result = await counter.consume(key, points);
        redisPausedUntil = undefined;
        return counted(true, result);
      } catch (rejection) {
        // The library rejects with the client's error when Redis failed, with its result when
        // the caller is over the limit.
        if (!(rejection instanceof RateLimiterRes)) {
          redisPausedUntil = now() + redisPauseMs;
          return failOpen(rejection);
        }
        // A refusal from the in-memory block never asked Redis (it comes with consumedPoints
        // 0, RateLimiterStoreAbstract.js _consume), so it says nothing about Redis being back.
        if (rejection.consumedPoints > 0) redisPausedUntil = undefined;
        return counted(false, rejection);
      } finally {
        if (probe) probeInFlight = false;
      }
    },
  };
}
