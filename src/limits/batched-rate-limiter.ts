// The shared limit without a Redis round trip on every request. A replica asks Redis once when
// a caller's window opens, then counts the caller's requests here and sends them to Redis in
// batches (a caller's count, once a second, or sooner when half its slack is used), taking
// back from each answer what the other replicas have used meanwhile.
//
// The price is a bounded overshoot. Each replica lets through at most `slack` requests that
// Redis has not heard of yet (5% of the quota), so with N replicas a caller gets at most
// N x slack requests over its quota in one window; a replica out of slack makes the caller's
// next request wait for Redis's answer. A quota under 20 leaves no slack: every request asks
// Redis, exactly as the shared limiter alone. Requests counted here and not yet sent when the
// process ends (at most one second's) are not counted: they err in the caller's favour, as
// failing open does.
import type { CountedRequest, RateLimitDecision, SharedRateLimiter } from "./shared-rate-limiter";

export interface BatchedRateLimiterOptions {
  /** Counts in Redis, and fails open when Redis cannot. */
  readonly shared: SharedRateLimiter;
  /** Requests a replica may let through before Redis has heard of them; quota / 20 by default. */
  readonly slack?: number;
  /** The longest a count waits here before it is sent. */
  readonly syncIntervalMs?: number;
  /** A monotonic clock in ms; tests move it by hand. */
  readonly now?: () => number;
}

/** What this replica knows of one caller's window. */
interface Quota {
  /** When Redis's window for the caller ends, on our clock. */
  endsAt: number;
  /** What Redis last said was left, less what went through here since. */
  left: number;
  /** Let through here, not yet sent to Redis. */
  unsent: number;
  /** Sent to Redis, not yet answered. */
  sending: number;
  sync?: Promise<void>;
}

const DEFAULT_SYNC_INTERVAL_MS = 1000;
const SLACK_SHARE_OF_QUOTA = 20;

export function createBatchedRateLimiter(options: BatchedRateLimiterOptions): SharedRateLimiter {
  const { shared } = options;
  const slack = options.slack ?? Math.floor(shared.requests / SLACK_SHARE_OF_QUOTA);
  if (!Number.isInteger(slack) || slack < 0) {
    throw new Error(`slack must be a whole number of requests, not ${slack}`);
  }
  if (slack === 0) return shared;
  const syncIntervalMs = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  // Sent early at half the slack, a batch is usually answered before the rest of the slack is
  // used up, so no request waits.
  const sendAt = Math.ceil(slack / 2);

  const quotas = new Map<string, Quota>();
  // The first request of a caller's window, out asking Redis: the caller's others wait for it.
  const opening = new Map<string, Promise<RateLimitDecision>>();
  let syncTimer: NodeJS.Timeout | undefined;

  function decided(quota: Quota, allowed: boolean): CountedRequest {
    // More than 0: a quota whose window has ended is not asked.
    const resetMs = quota.endsAt - now();
    return {
      failedOpen: false,
      allowed,
      limit: shared.requests,
      remaining: Math.max(0, quota.left),
      resetS: Math.ceil(resetMs / 1000),
      resetMs,
    };
  }

  function open(key: string): Promise<RateLimitDecision> {
    const asked = shared.consume(key).then((decision) => {
      if (!decision.failedOpen) {
        quotas.set(key, {
          endsAt: now() + decision.resetMs,
          left: decision.remaining,
          unsent: 0,
          sending: 0,
        });
      }
      return decision;
    });
    opening.set(key, asked);
    void asked.finally(() => opening.delete(key));
    return asked;
  }

  function send(key: string, quota: Quota): Promise<void> {
    const points = quota.unsent;
    quota.unsent = 0;
    quota.sending = points;
    const sync = shared.consume(key, points).then((decision) => {
      quota.sending = 0;
      quota.sync = undefined;
      // A window that ended while the batch was out has a new quota of its own by now.
      if (quotas.get(key) !== quota) return;
      if (decision.failedOpen) {
        // Redis is unwell: the shared limiter decides, failing open, until it is back.
        quotas.delete(key);
        return;
      }
      // Redis's count has the other replicas' requests in it; ours since are not in it yet.
      quota.left = decision.remaining - quota.unsent;
      quota.endsAt = now() + decision.resetMs;
    });
    quota.sync = sync;
    return sync;
  }

  function syncAll(): void {
    syncTimer = undefined;
    const at = now();
    let keptBack = false;
    for (const [key, quota] of quotas) {
      if (quota.sync !== undefined) {
        // Counted while a batch is still out: sent at the next sync, even if the caller has
        // gone quiet by then.
        keptBack ||= quota.unsent > 0;
        continue;
      }
      if (at >= quota.endsAt) quotas.delete(key);
      else if (quota.unsent > 0) void send(key, quota);
    }
    if (keptBack) syncSoon();
  }

  function syncSoon(): void {
    if (syncTimer !== undefined) return;
    syncTimer = setTimeout(syncAll, syncIntervalMs);
    // Counts waiting to be sent do not keep the process alive.
    syncTimer.unref();
  }

  return {
    requests: shared.requests,
    windowS: shared.windowS,
    async consume(key) {
      for (;;) {
        const quota = quotas.get(key);
        if (quota === undefined || now() >= quota.endsAt) {
          const asking = opening.get(key);
          if (asking === undefined) return open(key);
          await asking;
          continue;
        }
        if (quota.left <= 0) return decided(quota, false);
        if (quota.unsent + quota.sending >= slack) {
          // The slack runs out only while a batch is out (a batch goes at half of it), so the
          // request waits for that batch's answer; sending now is the safe fallback.
          // Stryker disable next-line LogicalOperator: unreachable, as said
          await (quota.sync ?? send(key, quota));
          continue;
        }
        quota.left -= 1;
        quota.unsent += 1;
        if (quota.unsent >= sendAt && quota.sync === undefined) void send(key, quota);
        else syncSoon();
        return decided(quota, true);
      }
    },
  };
}
