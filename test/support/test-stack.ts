// The service assembled as main.ts does, against real Postgres, Redis and fake upstreams,
// without a listener: supertest drives the Express app directly.
import type { Express } from "express";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { parseConfig, type Config } from "../../src/config";
import { createLogger } from "../../src/infra/logger";
import { RequestContext } from "../../src/infra/request-context";
import type { Lifecycle } from "../../src/lifecycle/lifecycle";
import { createStatsdMetrics, noMetrics } from "../../src/infra/metrics";
import { createService, type Service } from "../../src/service";
import {
  createTestDatabase,
  REDIS_URL,
  uniqueRedisPrefix,
  type TestDatabase,
} from "./backing-services";
import { putUnderContract } from "./contract-registry";
import {
  startFakeIdentityProvider,
  startFakePaymentService,
  startFakeProductService,
  TEST_PAYMENT_API_KEY,
  type RunningFake,
  type RunningIdentityProvider,
} from "./fake-upstreams";
import { LogCapture } from "./log-capture";

export interface TestStack {
  readonly app: Express;
  readonly service: Service;
  readonly config: Config;
  readonly pool: Pool;
  readonly redis: Redis;
  readonly lifecycle: Lifecycle;
  readonly logs: LogCapture;
  readonly products: RunningFake;
  readonly payments: RunningFake;
  readonly identity: RunningIdentityProvider;
  readonly database: TestDatabase;
  /** `{ Authorization: "Bearer <token>" }` for the customer: what every /orders call needs. */
  as(customerId: string): Promise<{ Authorization: string }>;
  close(): Promise<void>;
}

/** Backing services and upstreams another stack already runs (two replicas, one database). */
export type SharedParts = Pick<TestStack, "database" | "products" | "payments" | "identity">;

export async function startTestStack(
  env: Record<string, string> = {},
  shared?: SharedParts,
): Promise<TestStack> {
  const [database, products, payments, identity] = shared
    ? [shared.database, shared.products, shared.payments, shared.identity]
    : await Promise.all([
        createTestDatabase(),
        startFakeProductService(),
        startFakePaymentService(),
        startFakeIdentityProvider(),
      ]);
  const config = parseConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    PRODUCT_API_URL: products.url,
    PAYMENT_API_URL: payments.url,
    PAYMENT_API_KEY: TEST_PAYMENT_API_KEY,
    PRODUCT_TIMEOUT_MS: "1000",
    PAYMENT_TIMEOUT_MS: "1000",
    // Short backoff keeps retrying tests fast; the policy itself is unit-tested.
    RETRY_BASE_DELAY_MS: "20",
    RETRY_MAX_DELAY_MS: "200",
    // Out of the way of tests that send many requests as one caller; rate-limits.test.ts
    // sets its own.
    RATE_LIMIT_REQUESTS: "1000000",
    ...identity.environment,
    ...env,
  });
  const logs = new LogCapture();
  const requestContext = new RequestContext();
  const logger = createLogger({
    level: "debug",
    requestContext,
    destinations: [logs],
    stdout: false,
    secretValues: [config.paymentApi.apiKey],
  });
  const metrics = config.statsd ? createStatsdMetrics(config.statsd, logger) : noMetrics;
  const service = createService(config, logger, requestContext, metrics);
  const { app, lifecycle, pool, redis, resources } = service;
  putUnderContract(app);
  // A stack pointed at an unreachable Redis is a valid test subject (the cache degrades).
  await redis.connect().catch(() => undefined);
  lifecycle.markServing();
  return {
    app,
    service,
    config,
    pool,
    redis,
    lifecycle,
    logs,
    products,
    payments,
    identity,
    database,
    as: async (customerId) => ({ Authorization: await identity.bearer(customerId) }),
    async close() {
      for (const resource of [...resources].reverse()) await resource.close();
      await metrics.close();
      if (!shared) {
        await Promise.all([products.close(), payments.close(), identity.close(), database.drop()]);
      }
    },
  };
}
