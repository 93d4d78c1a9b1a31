// The product client's resilience (DESIGN.md "Resilience policy"): each attempt goes through
// the product service's own circuit breaker with its own timeout; failed attempts are retried
// with full-jitter backoff, only when the failure is retryable, only while the retry budget
// allows, and never past the lookup's overall deadline.
import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";
import type { Logger } from "../infra/logger";
import { backoffDelayMs, type BackoffPolicy } from "../resilience/backoff";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import type { RetryBudget } from "../resilience/retry-budget";
import { isUpstreamFailure, requestedRetryDelayMs } from "../resilience/upstream-errors";
import type { Product, ProductCatalog } from "./product-catalog";

export interface RetryingProductCatalogOptions {
  /** The breaker around one plain attempt (HttpProductCatalog.getProduct). */
  readonly breaker: CircuitBreaker<[string, AbortSignal | undefined], Product | undefined>;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly budget: RetryBudget;
  readonly deadlineMs: number;
  readonly logger: Logger;
  readonly onRetry?: (retry: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly onBudgetExhausted?: () => void;
  readonly random?: () => number;
}

export class RetryingProductCatalog implements ProductCatalog {
  constructor(private readonly options: RetryingProductCatalogOptions) {}

  async getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    const { options } = this;
    const deadline = AbortSignal.timeout(options.deadlineMs);
    const lookup = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const started = performance.now();
    options.budget.recordRequest();
    return pRetry((_attempt) => options.breaker.fire(id, lookup), {
      retries: options.maxAttempts - 1,
      signal: lookup,
      // p-retry's own delay is off (its jitter is not full jitter); shouldRetry waits instead.
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: async ({ error, attemptNumber }) => {
        // A breaker refusal is not retryable either: that is how retries stop when it opens.
        if (!isUpstreamFailure(error)) return false;
        const delayMs = backoffDelayMs(
          attemptNumber,
          options.backoff,
          options.random,
          requestedRetryDelayMs(error),
        );
        const remainingMs = options.deadlineMs - (performance.now() - started);
        if (delayMs >= remainingMs) return false;
        if (!options.budget.tryAcquireRetry()) {
          options.logger.warn({ productId: id }, "retry budget exhausted; not retrying");
          options.onBudgetExhausted?.();
          return false;
        }
        options.logger.info(
          { productId: id, attempt: attemptNumber, delayMs, err: error },
          "product lookup failed; retrying",
        );
        options.onRetry?.({ attempt: attemptNumber, delayMs, error });
        // Cut short by the deadline: give up with the upstream's error, not the abort's.
        // Stryker disable next-line ArrowFunction: p-retry reads the answer as a truth value (`!await shouldRetry(...)`), so undefined stops it exactly as false does
        return sleep(delayMs, true, { signal: lookup }).catch(() => false);
      },
    });
  }
}
