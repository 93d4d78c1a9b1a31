import type { Tracer } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import { noMetrics, type Metrics } from "../infra/metrics";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import { RetryBudget } from "../resilience/retry-budget";
import { createUpstreamBreaker } from "../resilience/upstream-breakers";
import { CachedProductCatalog } from "./cached-product-catalog";
import { HttpProductCatalog, type Product, type ProductCatalog } from "./product-catalog";
import { RetryingProductCatalog } from "./retrying-product-catalog";
import { TracedProductCatalog } from "./traced-product-catalog";
import { serviceTracer } from "../telemetry/service-tracer";
import { recordRetry, recordRetryBudgetRefusal } from "../telemetry/span-annotations";

export interface ProductClient {
  readonly catalog: ProductCatalog;
  readonly breaker: CircuitBreaker<[string, AbortSignal | undefined], Product | undefined>;
}

/**
 * The product service client, layered from the inside out: one HTTP attempt with a timeout ->
 * the product service's circuit breaker -> retries (full jitter, budget, deadline) -> the
 * Redis cache (fresh hits skip everything below; stale entries cover an outage) -> a span.
 */
export function createProductClient(
  config: Config,
  redis: Redis,
  logger: Logger,
  metrics: Metrics = noMetrics,
  tracer: Tracer = serviceTracer(),
): ProductClient {
  const http = new HttpProductCatalog({
    baseUrl: config.productApi.url,
    timeoutMs: config.productApi.timeoutMs,
  });
  const upstream = "product-service";
  const breaker = createUpstreamBreaker(
    upstream,
    (id: string, signal: AbortSignal | undefined) => http.getProduct(id, signal),
    { settings: config.breaker, logger, metrics },
  );
  const retrying = new RetryingProductCatalog({
    breaker,
    maxAttempts: config.retry.maxAttempts,
    backoff: config.retry,
    budget: new RetryBudget({ percent: config.retry.budgetPercent }),
    deadlineMs: config.productApi.deadlineMs,
    logger,
    onRetry: (retry) => {
      metrics.increment("retry.attempts", { upstream });
      recordRetry(upstream, retry);
    },
    onBudgetExhausted: () => {
      metrics.increment("retry.budget_refusals", { upstream });
      recordRetryBudgetRefusal(upstream);
    },
  });
  const cached = new CachedProductCatalog({
    catalog: retrying,
    redis,
    ttlS: config.productApi.cacheTtlS,
    logger,
  });
  const catalog = new TracedProductCatalog(cached, tracer);
  return { catalog, breaker };
}
