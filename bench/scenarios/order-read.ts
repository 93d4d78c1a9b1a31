// GET /orders/:id: the service vs a minimal Express + pg handler running the same query on a
// pool of the same size -> the template's overhead on a real database read.
import type autocannon from "autocannon";
import { stopChild } from "../support/child-processes";
import { startBaseline } from "../support/baseline";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import type { RssSampler } from "../support/rss";
import { PG_POOL_MAX, type RunningServer } from "../support/service";

export const ORDER_READ_LOAD: LoadSettings = {
  connections: 32,
  durationS: 3,
  rounds: 4,
  warmupS: 1,
};

export interface OrderReadFigures {
  readonly minimal: LoadSummary;
  readonly service: LoadSummary;
}

/** Cycles through the seeded ids, the same sequence for every target. */
function readEach(ids: readonly string[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: "GET",
      setupRequest: (request) => ({ ...request, path: `/orders/${ids[next++ % ids.length]}` }),
    },
  ];
}

export async function benchOrderRead(
  service: RunningServer,
  databaseUrl: string,
  orderIds: readonly string[],
  rss: RssSampler,
): Promise<OrderReadFigures> {
  const minimal = await startBaseline("express + pg baseline", "express-order.ts", {
    DATABASE_URL: databaseUrl,
    PG_POOL_MAX: String(PG_POOL_MAX),
  });
  try {
    const [minimalFigures, serviceFigures] = await measureInterleaved(
      [
        {
          name: "GET /orders/:id  Express + pg",
          url: minimal.url,
          pid: minimal.child.pid,
          requests: readEach(orderIds),
        },
        {
          name: "GET /orders/:id  service",
          url: service.url,
          pid: service.child.pid,
          requests: readEach(orderIds),
          around: rss.around,
        },
      ],
      ORDER_READ_LOAD,
    );
    return { minimal: minimalFigures!, service: serviceFigures! };
  } finally {
    await stopChild(minimal.child);
  }
}
