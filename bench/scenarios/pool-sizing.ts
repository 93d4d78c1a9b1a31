// Does the Postgres pool limit throughput? The service as shipped at PG_POOL_MAX 2, 5, 10 (the
// default) and 20, one process per size, under the same 64 connections of GET /orders/:id and
// of POST /orders, interleaved round by round. Next to each, Little's law: the connections a
// load keeps busy are L = throughput x W, W the time a request holds one (query-time.ts). With
// L well below the pool size the pool is not what limits; L near it means requests queue for a
// connection, and a bigger pool helps until Postgres itself (or the CPU) is the limit.
import type { SeededOrder } from "../support/bench-database";
import { stopChild } from "../support/child-processes";
import { bearersFor } from "../support/identity-provider";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import { timeOrderRead, timeOrderWrite, type QueryTime } from "../support/query-time";
import { startService, type RunningServer, type ServiceSetup } from "../support/service";
import { placeEach } from "./order-create";
import { readEach } from "./order-read";
import type { ScalingLoad } from "./connection-scaling";

export const POOL_SIZES = [2, 5, 10, 20] as const;
export const POOL_CONNECTIONS = 64;

const POOL_LOAD: LoadSettings = {
  connections: POOL_CONNECTIONS,
  durationS: 3,
  rounds: 2,
  warmupS: 1,
};
const QUICK_POOL_LOAD: LoadSettings = { ...POOL_LOAD, rounds: 1 };

export interface PoolSizingRow {
  readonly load: ScalingLoad;
  readonly poolMax: number;
  readonly summary: LoadSummary;
  /** W: measured once per load, the same query whatever the pool. */
  readonly queryTime: QueryTime;
  /** L = req/s x mean W: connections the load keeps busy on average. */
  readonly busyConnections: number;
}

export interface PoolSizingFigures {
  readonly rows: readonly PoolSizingRow[];
  readonly settings: LoadSettings;
}

export async function benchPoolSizing(
  setup: ServiceSetup,
  orders: readonly SeededOrder[],
  readBearers: ReadonlyMap<string, string>,
  quick: boolean,
): Promise<PoolSizingFigures> {
  const settings = quick ? QUICK_POOL_LOAD : POOL_LOAD;
  const writeBearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: 200 }, (_, index) => `bench-pool-customer-${index}`),
  );
  const services: RunningServer[] = [];
  try {
    for (const size of POOL_SIZES) {
      services.push(
        await startService(setup, `service (PG_POOL_MAX=${size})`, {
          PG_POOL_MAX: String(size),
        }),
      );
    }
    const rows: PoolSizingRow[] = [];
    const loads = [
      ["GET /orders/:id", () => readEach(orders, readBearers)],
      ["POST /orders", () => placeEach(writeBearers)],
    ] as const;
    for (const [load, requests] of loads) {
      // Timed before the load, on an idle machine: a lower bound of W under load.
      const queryTime =
        load === "GET /orders/:id"
          ? await timeOrderRead(setup.databaseUrl, orders)
          : await timeOrderWrite(setup.databaseUrl);
      const summaries = await measureInterleaved(
        services.map((service, index) => ({
          name: `${load}  PG_POOL_MAX=${POOL_SIZES[index]!}`,
          url: service.url,
          pid: service.child.pid,
          requests: requests(),
        })),
        settings,
      );
      for (const [index, summary] of summaries.entries()) {
        rows.push({
          load,
          poolMax: POOL_SIZES[index]!,
          summary,
          queryTime,
          busyConnections: (summary.reqPerSec * queryTime.meanMs) / 1000,
        });
      }
    }
    return { rows, settings };
  } finally {
    await Promise.all(services.map((service) => stopChild(service.child)));
  }
}
