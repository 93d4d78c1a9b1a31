// How calls to upstream services fail, and which failures are the upstream's fault (they
// count against its breaker and may be retried) rather than the caller's (a 4xx, a decline,
// our own deadline): those are never retried and never counted.

/** The upstream could not be reached, timed out, or the caller gave up on it ("aborted"). */
export class UpstreamUnreachableError extends Error {
  constructor(
    readonly upstream: string,
    readonly reason: "timeout" | "network" | "aborted",
    options?: ErrorOptions,
  ) {
    super(`${upstream}: ${reason}`, options);
    this.name = "UpstreamUnreachableError";
  }
}

/** The upstream answered with a status that means "failed, maybe later" (5xx, 408, 429, ...). */
export class UpstreamStatusError extends Error {
  constructor(
    readonly upstream: string,
    readonly status: number,
    /** From its Retry-After header, when it sent one. */
    readonly retryAfterS?: number,
  ) {
    super(`${upstream} answered HTTP ${status}`);
    this.name = "UpstreamStatusError";
  }
}

/**
 * The upstream answered, but with nothing this request can use: a redirect (never followed:
 * a payment token must not be re-sent to another host) or a body of the wrong shape for what
 * was asked. Not counted as the upstream's failure and never retried: what comes back for one
 * odd request says nothing about the upstream's health, and counting it would let one
 * request open the breaker for everybody.
 */
export class UnusableUpstreamAnswerError extends Error {
  constructor(
    readonly upstream: string,
    readonly status: number,
    readonly problem: "redirect" | "unexpected-body",
  ) {
    super(
      `${upstream} answered HTTP ${status} with ${problem === "redirect" ? "a redirect" : "an unexpected body"}`,
    );
    this.name = "UnusableUpstreamAnswerError";
  }
}

/** 4xx statuses that say "not now" rather than "never". */
export const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

/** Whether an upstream status error is worth another attempt later. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || TRANSIENT_CLIENT_STATUSES.has(status);
}

/** The upstream failed: unreachable, timed out, unreadable, or 5xx/408/425/429. */
export function isUpstreamFailure(error: unknown): boolean {
  if (error instanceof UpstreamUnreachableError) return error.reason !== "aborted";
  if (error instanceof UpstreamStatusError) return isTransientStatus(error.status);
  return false;
}

/** How long a client should wait when an upstream failed without saying. */
export const DEFAULT_RETRY_AFTER_S = 5;

/** Seconds to wait before trying again: what the upstream (or a breaker) said, else a default. */
export function retryAfterSecondsOf(error: unknown): number {
  const said = (error as { retryAfterS?: unknown } | null)?.retryAfterS;
  return typeof said === "number" && said > 0 ? said : DEFAULT_RETRY_AFTER_S;
}

/** What the upstream asked for in Retry-After, in ms, if it asked. */
export function requestedRetryDelayMs(error: unknown): number | undefined {
  return error instanceof UpstreamStatusError && error.retryAfterS !== undefined
    ? error.retryAfterS * 1000
    : undefined;
}
