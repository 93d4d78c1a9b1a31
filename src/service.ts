// The object graph of the service: backing services -> clients -> domain -> HTTP app.
// main.ts adds the process around it (listener, signals, startup); tests build the same graph.
import type { Express } from "express";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { createApp } from "./app";
import { KeySetResolver } from "./auth/key-set-resolver";
import { TokenVerifier } from "./auth/token-verifier";
import { createPaymentClient } from "./clients/payment-client";
import { createProductClient } from "./clients/product-client";
import { IdempotentOrderPlacement } from "./http/idempotent-order-placement";
import { limitRequests } from "./http/rate-limit";
import { createBatchedRateLimiter } from "./limits/batched-rate-limiter";
import { createSharedRateLimiter } from "./limits/shared-rate-limiter";
import { IdempotencyStore } from "./idempotency/idempotency-store";
import type { Config } from "./config";
import type { Logger } from "./infra/logger";
import { noMetrics, type Metrics } from "./infra/metrics";
import { RuntimeMetricsReporter } from "./infra/runtime-metrics";
import { createPostgresPool, pingPostgres } from "./infra/postgres";
import { closeRedis, createRedisClient } from "./infra/redis";
import type { RequestContext } from "./infra/request-context";
import type { Closeable } from "./lifecycle/graceful-shutdown";
import { Lifecycle } from "./lifecycle/lifecycle";
import { OrderRepository } from "./orders/order-repository";
import { OrderService } from "./orders/order-service";
import { PendingOrderCharger } from "./orders/pending-order-charger";
import type { CircuitBreaker } from "./resilience/circuit-breaker";
import { recordIdempotentReplay } from "./telemetry/span-annotations";

export interface Service {
  readonly app: Express;
  readonly lifecycle: Lifecycle;
  readonly pool: Pool;
  /** The one-connection pool of the readiness check (tests watch it under a probe flood). */
  readonly healthPool: Pool;
  readonly redis: Redis;
  readonly breakers: readonly Pick<CircuitBreaker<never, unknown>, "name" | "state">[];
  /** Pool, Redis, breaker and process gauges; main.ts starts it, tests call report(). */
  readonly runtimeMetrics: RuntimeMetricsReporter;
  /** Everything the service opened, in opening order (close in reverse). */
  readonly resources: readonly Closeable[];
}

export function createService(
  config: Config,
  logger: Logger,
  requestContext: RequestContext,
  metrics: Metrics = noMetrics,
): Service {
  const pool = createPostgresPool(config.database, logger);
  // Readiness gets its own connection: a request pool busy under load must not make every
  // replica report unready at once (which would take them all out of the load balancer).
  // Its timeouts are the check's own, so a check that timed out ends its query (and frees the
  // one connection) instead of leaving work behind for the next probe.
  const healthPool = createPostgresPool(
    { ...config.database, poolMax: 1, connectTimeoutMs: config.healthCheckTimeoutMs },
    logger,
    "order-service-health",
  );
  const redis = createRedisClient(config.redis, logger);

  const repository = new OrderRepository(pool);

  const { catalog: productCatalog, breaker: productBreaker } = createProductClient(
    config,
    redis,
    logger,
    metrics,
  );
  const { gateway: paymentGateway, breaker: paymentBreaker } = createPaymentClient(
    config,
    logger,
    metrics,
  );
  const breakers = [productBreaker, paymentBreaker];
  const charger = new PendingOrderCharger({ repository, paymentGateway, logger });
  const orders = new OrderService({
    repository,
    productCatalog,
    charger,
    logger,
    productDeadlineMs: config.productApi.deadlineMs,
  });

  const { auth } = config;
  const verifier = new TokenVerifier({
    getKey: new KeySetResolver({
      jwksUrl: auth.jwksUrl,
      timeoutMs: auth.jwksTimeoutMs,
      cooldownMs: auth.jwksCooldownMs,
      logger,
    }).getKey,
    issuer: auth.issuer,
    audience: auth.audience,
    clockToleranceS: auth.clockToleranceS,
    cacheSize: auth.tokenCacheSize,
  });

  const rateLimit = limitRequests({
    // Counted here and sent to Redis in batches: no Redis round trip on most requests.
    limiter: createBatchedRateLimiter({
      shared: createSharedRateLimiter({ redis, ...config.rateLimit, logger, metrics }),
    }),
    policyName: "per-caller",
    metrics,
    route: "/orders",
    // Authenticated callers by who they are (wherever they call from); anyone else by
    // address (req.ip, which believes X-Forwarded-For only from TRUSTED_PROXIES).
    keyOf: (req, res) => {
      const authentication = res.locals.authentication;
      return authentication && "caller" in authentication
        ? `sub:${authentication.caller.customerId}`
        : `ip:${req.ip ?? "unknown"}`;
    },
  });

  const lifecycle = new Lifecycle();
  const runtimeMetrics = new RuntimeMetricsReporter(metrics, { pool, redis, breakers });
  const app = createApp({
    logger,
    metrics,
    requestContext,
    lifecycle,
    health: {
      checkTimeoutMs: config.healthCheckTimeoutMs,
      checks: [
        {
          name: "postgres",
          decisive: true,
          run: () => pingPostgres(healthPool, config.healthCheckTimeoutMs),
        },
        // Only a cache: reported, never decisive (the product client works without it).
        { name: "redis", decisive: false, run: () => redis.ping() },
      ],
      // Shown, never decisive: an open breaker must not take every replica out of service.
      details: () => ({
        breakers: Object.fromEntries(breakers.map((breaker) => [breaker.name, breaker.state])),
      }),
    },
    callers: { verifier, rateLimit },
    trustedProxies: config.trustedProxies,
    orders: {
      orders,
      idempotentPlacement: new IdempotentOrderPlacement({
        store: new IdempotencyStore(pool, config.idempotency),
        orders,
        logger,
        onReplay: () => {
          metrics.increment("idempotency.replays");
          recordIdempotentReplay();
        },
      }),
    },
  });

  return {
    app,
    lifecycle,
    pool,
    healthPool,
    redis,
    breakers,
    runtimeMetrics,
    resources: [
      { name: "runtime metrics", close: () => Promise.resolve(runtimeMetrics.stop()) },
      {
        name: "circuit breakers",
        close: () => Promise.resolve(breakers.forEach((breaker) => breaker.shutdown())),
      },
      { name: "postgres", close: () => pool.end() },
      { name: "postgres (health checks)", close: () => healthPool.end() },
      { name: "redis", close: () => closeRedis(redis) },
    ],
  };
}
