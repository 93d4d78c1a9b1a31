// GET /orders/:id with the owner's bearer token: the service vs a minimal Express + pg + jose
// handler running the same query on a pool of the same size and verifying the same token on
// every request -> the template's overhead on an authenticated database read. The service runs
// twice: as shipped (verified tokens cached until their exp) and with AUTH_TOKEN_CACHE_SIZE=0
// (every request verifies its RS256 signature, as the baseline does); the CPU between the two
// is what the cache saves per request.
import type autocannon from "autocannon";
import { stopChild } from "../support/child-processes";
import { startBaseline } from "../support/baseline";
import type { SeededOrder } from "../support/bench-database";
import { authEnvironment } from "../support/identity-provider";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import { readRss, type RssReading, type RssSampler } from "../support/rss";
import {
  CLOCK_TOLERANCE_S,
  PG_POOL_MAX,
  startService,
  type RunningServer,
  type ServiceSetup,
} from "../support/service";

export const ORDER_READ_LOAD: LoadSettings = {
  connections: 32,
  durationS: 3,
  rounds: 4,
  warmupS: 1,
};

export interface OrderReadFigures {
  readonly minimal: LoadSummary;
  /** As shipped: AUTH_TOKEN_CACHE_SIZE=10000. */
  readonly service: LoadSummary;
  /** AUTH_TOKEN_CACHE_SIZE=0: every request verifies its token. */
  readonly serviceWithoutCache: LoadSummary;
  /** RSS of the baseline and of the service right after the same load. */
  readonly rssAfter: { readonly minimal?: RssReading; readonly service?: RssReading };
}

/**
 * Cycles through the seeded orders, each read with its owner's token; the same for every
 * target. `extraHeaders` adds headers per request (a caller's traceparent).
 */
export function readEach(
  orders: readonly SeededOrder[],
  bearers: ReadonlyMap<string, string>,
  extraHeaders: () => Record<string, string> = () => ({}),
): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: "GET",
      setupRequest: (request) => {
        const order = orders[next++ % orders.length]!;
        return {
          ...request,
          path: `/orders/${order.id}`,
          headers: { authorization: bearers.get(order.customerId)!, ...extraHeaders() },
        };
      },
    },
  ];
}

/** Refuses to measure a target that does not answer what the load expects (a fast 401 is no figure). */
async function checkAnswers(
  target: RunningServer,
  order: SeededOrder,
  bearers: ReadonlyMap<string, string>,
): Promise<void> {
  const url = `${target.url}/orders/${order.id}`;
  const [owner, anonymous, other] = await Promise.all([
    fetch(url, { headers: { authorization: bearers.get(order.customerId)! } }),
    fetch(url),
    fetch(url, {
      headers: { authorization: [...bearers].find(([id]) => id !== order.customerId)![1] },
    }),
  ]);
  const statuses = [owner.status, anonymous.status, other.status];
  if (statuses.join() !== "200,401,404") {
    throw new Error(
      `${target.url} answered ${statuses.join(", ")} (owner, no token, another customer); ` +
        "expected 200, 401, 404",
    );
  }
}

export async function benchOrderRead(
  service: RunningServer,
  setup: ServiceSetup,
  orders: readonly SeededOrder[],
  bearers: ReadonlyMap<string, string>,
  rss: RssSampler,
): Promise<OrderReadFigures> {
  const [minimal, uncached] = await Promise.all([
    startBaseline("express + pg + jose baseline", "express-order.ts", {
      DATABASE_URL: setup.databaseUrl,
      PG_POOL_MAX: String(PG_POOL_MAX),
      ...authEnvironment(setup.upstreams.identity),
      AUTH_CLOCK_TOLERANCE_S: String(CLOCK_TOLERANCE_S),
    }),
    startService(setup, "service (token cache off)", { AUTH_TOKEN_CACHE_SIZE: "0" }),
  ]);
  try {
    for (const target of [minimal, service, uncached]) {
      await checkAnswers(target, orders[0]!, bearers);
    }
    const [minimalFigures, serviceFigures, uncachedFigures] = await measureInterleaved(
      [
        {
          name: "GET /orders/:id  Express + pg + jose",
          url: minimal.url,
          pid: minimal.child.pid,
          requests: readEach(orders, bearers),
        },
        {
          name: "GET /orders/:id  service",
          url: service.url,
          pid: service.child.pid,
          requests: readEach(orders, bearers),
          around: rss.around,
        },
        {
          name: "GET /orders/:id  service, cache off",
          url: uncached.url,
          pid: uncached.child.pid,
          requests: readEach(orders, bearers),
        },
      ],
      ORDER_READ_LOAD,
    );
    return {
      minimal: minimalFigures!,
      service: serviceFigures!,
      serviceWithoutCache: uncachedFigures!,
      rssAfter: { minimal: readRss(minimal.child.pid), service: readRss(service.child.pid) },
    };
  } finally {
    await Promise.all([stopChild(minimal.child), stopChild(uncached.child)]);
  }
}
