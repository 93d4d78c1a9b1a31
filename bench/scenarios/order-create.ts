// POST /orders through the whole path: authentication (a bearer token per simulated customer),
// validation, product lookups (Redis-cached, fake product service behind it), a transaction, a
// charge at the fake payment gateway, the settling update; against a minimal Express + pg +
// fetch handler doing the same lookups, insert, charge and update
// (bench/baselines/express-order-create.ts), A B A B.
import type autocannon from "autocannon";
import { startBaseline } from "../support/baseline";
import { stopChild } from "../support/child-processes";
import { authEnvironment, bearersFor } from "../support/identity-provider";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import { BENCH_REDIS_PREFIX, BENCH_REDIS_URL } from "../support/redis-keys";
import type { RssSampler } from "../support/rss";
import {
  CLOCK_TOLERANCE_S,
  PAYMENT_API_KEY,
  PG_POOL_MAX,
  type RunningServer,
  type ServiceSetup,
} from "../support/service";

export const ORDER_CREATE_LOAD: LoadSettings = {
  connections: 20,
  durationS: 3,
  rounds: 4,
  warmupS: 1,
};

/** Simulated customers, each with its own token (minted before the load). */
export const ORDERING_CUSTOMERS = 200;

/** Two cached products, a charge the fake gateway accepts. */
function orderBody(customerId: string): string {
  return JSON.stringify({
    customerId,
    items: [
      { productId: "sku-espresso-beans", quantity: 1 },
      { productId: "sku-mug", quantity: 2 },
    ],
    paymentToken: "tok_bench",
  });
}

/**
 * The customers in turn, each order with its customer's token; no Idempotency-Key.
 * `extraHeaders` adds headers per request (a caller's traceparent).
 */
export function placeEach(
  bearers: ReadonlyMap<string, string>,
  extraHeaders: () => Record<string, string> = () => ({}),
): autocannon.Request[] {
  const customers = [...bearers];
  let next = 0;
  return [
    {
      method: "POST",
      path: "/orders",
      setupRequest: (request) => {
        const [customerId, authorization] = customers[next++ % customers.length]!;
        return {
          ...request,
          headers: { "content-type": "application/json", authorization, ...extraHeaders() },
          body: orderBody(customerId),
        };
      },
    },
  ];
}

export interface OrderCreateFigures {
  readonly minimal: LoadSummary;
  readonly service: LoadSummary;
}

export async function benchOrderCreate(
  service: RunningServer,
  setup: ServiceSetup,
  rss: RssSampler,
): Promise<OrderCreateFigures> {
  const bearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: ORDERING_CUSTOMERS }, (_, index) => `bench-customer-${index}`),
  );
  const minimal = await startBaseline("express + pg + fetch baseline", "express-order-create.ts", {
    DATABASE_URL: setup.databaseUrl,
    PG_POOL_MAX: String(PG_POOL_MAX),
    REDIS_URL: BENCH_REDIS_URL,
    REDIS_KEY_PREFIX: BENCH_REDIS_PREFIX,
    PRODUCT_CACHE_TTL_S: "60",
    PRODUCT_API_URL: setup.upstreams.productUrl,
    PAYMENT_API_URL: setup.upstreams.paymentUrl,
    PAYMENT_API_KEY,
    ...authEnvironment(setup.upstreams.identity),
    AUTH_CLOCK_TOLERANCE_S: String(CLOCK_TOLERANCE_S),
  });
  try {
    const [minimalFigures, serviceFigures] = await measureInterleaved(
      [
        {
          name: "POST /orders  Express + pg + fetch",
          url: minimal.url,
          pid: minimal.child.pid,
          requests: placeEach(bearers),
        },
        {
          name: "POST /orders  service",
          url: service.url,
          pid: service.child.pid,
          requests: placeEach(bearers),
          around: rss.around,
        },
      ],
      ORDER_CREATE_LOAD,
    );
    return { minimal: minimalFigures!, service: serviceFigures! };
  } finally {
    await stopChild(minimal.child);
  }
}
