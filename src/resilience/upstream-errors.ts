// Which upstream errors are the upstream's fault (they count against its breaker and may be
// retried) and which are the caller's (a 4xx, a decline, our own deadline): never retried,
// never counted.
import { UpstreamUnreachableError } from "../clients/http-json";

/** An upstream answered with an HTTP status that says "failed, maybe try later". */
export interface UpstreamStatusError extends Error {
  readonly status: number;
  readonly retryAfterS?: number;
}

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

export function isUpstreamStatusError(error: unknown): error is UpstreamStatusError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === "number";
}

/** The upstream failed: unreachable, timed out, unreadable, or 5xx/408/429. */
export function isUpstreamFailure(error: unknown): boolean {
  if (error instanceof UpstreamUnreachableError) return error.reason !== "aborted";
  if (isUpstreamStatusError(error)) {
    return error.status >= 500 || RETRYABLE_STATUSES.has(error.status);
  }
  return false;
}

export function retryAfterMsOf(error: unknown): number | undefined {
  if (!isUpstreamStatusError(error) || error.retryAfterS === undefined) return undefined;
  return error.retryAfterS * 1000;
}
