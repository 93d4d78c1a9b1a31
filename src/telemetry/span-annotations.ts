// What the resilience patterns did, written on the span that is active when they act (the
// product lookup, the payment charge, the request): a trace then shows why a request was slow
// or refused. Span events and attributes never carry secrets: names, counts and delays only.
import { SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { BreakerOpenError } from "../resilience/circuit-breaker";

const errorType = (error: unknown) => (error instanceof Error ? error.name : typeof error);

export function recordRetry(
  upstream: string,
  retry: { attempt: number; delayMs: number; error: unknown },
): void {
  trace.getActiveSpan()?.addEvent("retry", {
    "upstream.name": upstream,
    "retry.attempt": retry.attempt,
    "retry.delay_ms": retry.delayMs,
    "error.type": errorType(retry.error),
  });
}

export function recordRetryBudgetRefusal(upstream: string): void {
  trace.getActiveSpan()?.addEvent("retry_budget_exhausted", { "upstream.name": upstream });
}

export function recordBreakerRejection(
  error: BreakerOpenError,
  span = trace.getActiveSpan(),
): void {
  span?.addEvent("breaker_rejected", {
    "breaker.name": error.breaker,
    "breaker.retry_after_ms": error.retryAfterMs,
  });
}

export function recordIdempotentReplay(): void {
  const span = trace.getActiveSpan();
  span?.setAttribute("idempotency.replayed", true);
  span?.addEvent("idempotent_replay");
}

/** A failed call: error status, its type (no message bodies, which may quote a payload). */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof BreakerOpenError) recordBreakerRejection(error, span);
  span.setAttribute("error.type", errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
}
