// "Full jitter" exponential backoff (DESIGN.md "Resilience policy"): before retry n wait a
// random time in [0, min(maxDelay, baseDelay * 2^(n-1))]. Spreading retries over the whole
// interval, not around its end (p-retry's `randomize` multiplies by 1..2), is what keeps
// many clients from retrying in lockstep against a recovering upstream.

export interface BackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * @param retry 1 for the first retry, 2 for the second, ...
 * @param retryAfterMs what the upstream asked for (Retry-After); wins when longer, capped too.
 */
export function backoffDelayMs(
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.floor(random() * (ceiling + 1));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs));
}
