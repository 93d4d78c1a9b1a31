// The object graph of the service: backing services -> clients -> domain -> HTTP app.
// main.ts adds the process around it (listener, signals, startup); tests build the same graph.
import type { Express } from "express";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { createApp } from "./app";
import { CachedProductCatalog } from "./clients/cached-product-catalog";
import { HttpPaymentGateway } from "./clients/payment-gateway";
import { HttpProductCatalog } from "./clients/product-catalog";
import type { Config } from "./config";
import type { Logger } from "./infra/logger";
import { createPostgresPool } from "./infra/postgres";
import { closeRedis, createRedisClient } from "./infra/redis";
import type { RequestContext } from "./infra/request-context";
import type { Closeable } from "./lifecycle/graceful-shutdown";
import { Lifecycle } from "./lifecycle/lifecycle";
import { OrderRepository } from "./orders/order-repository";
import { OrderService } from "./orders/order-service";

export interface Service {
  readonly app: Express;
  readonly lifecycle: Lifecycle;
  readonly pool: Pool;
  readonly redis: Redis;
  /** Everything the service opened, in opening order (close in reverse). */
  readonly resources: readonly Closeable[];
}

export function createService(
  config: Config,
  logger: Logger,
  requestContext: RequestContext,
): Service {
  const pool = createPostgresPool(config.database, logger);
  const redis = createRedisClient(config.redis, logger);

  const repository = new OrderRepository(pool);
  const productCatalog = new CachedProductCatalog({
    catalog: new HttpProductCatalog({
      baseUrl: config.productApi.url,
      timeoutMs: config.productApi.timeoutMs,
    }),
    redis,
    ttlS: config.productApi.cacheTtlS,
    logger,
  });
  const paymentGateway = new HttpPaymentGateway({
    baseUrl: config.paymentApi.url,
    apiKey: config.paymentApi.apiKey,
    timeoutMs: config.paymentApi.timeoutMs,
  });
  const orders = new OrderService({ repository, productCatalog, paymentGateway, logger });

  const lifecycle = new Lifecycle();
  const app = createApp({
    logger,
    requestContext,
    lifecycle,
    health: {
      checkTimeoutMs: config.healthCheckTimeoutMs,
      checks: [
        { name: "postgres", run: () => pool.query("SELECT 1") },
        { name: "redis", run: () => redis.ping() },
      ],
    },
    orders: { orders, repository },
  });

  return {
    app,
    lifecycle,
    pool,
    redis,
    resources: [
      { name: "postgres", close: () => pool.end() },
      { name: "redis", close: () => closeRedis(redis) },
    ],
  };
}
