// W of Little's law (busy connections L = throughput x W): how long one request holds a pooled
// Postgres connection, timed from the bench process on one connection of its own, with no load
// running, with the service's own SQL. The read is SELECT_CUSTOMER_ORDER (GET /orders/:id); the
// write is OrderRepository.insertPending + settle, the two checkouts of a POST /orders (the
// payment call between them holds no connection). pg_stat_statements would time the statements
// inside Postgres, but it needs shared_preload_libraries, which a stock server does not set.
import { randomUUID } from "node:crypto";
import { Pool } from "pg";
import { OrderRepository, SELECT_CUSTOMER_ORDER } from "../../src/orders/order-repository";
import type { SeededOrder } from "./bench-database";
import { median } from "./stats";

export interface QueryTime {
  readonly medianMs: number;
  /** Little's law is about means: L is computed from this one. */
  readonly meanMs: number;
  readonly samples: number;
}

const WARM_UP_CALLS = 20;

async function timeCalls(
  databaseUrl: string,
  calls: number,
  work: (pool: Pool, call: number) => Promise<unknown>,
): Promise<QueryTime> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    // Connection, plan cache and buffers warm first, as in a long-running service.
    for (let call = 0; call < WARM_UP_CALLS; call++) await work(pool, call);
    const samples: number[] = [];
    for (let call = 0; call < calls; call++) {
      const started = performance.now();
      await work(pool, call);
      samples.push(performance.now() - started);
    }
    return {
      medianMs: median(samples),
      meanMs: samples.reduce((sum, ms) => sum + ms, 0) / samples.length,
      samples: samples.length,
    };
  } finally {
    await pool.end();
  }
}

/** SELECT_CUSTOMER_ORDER over the orders in turn, each with its owner. */
export function timeOrderRead(
  databaseUrl: string,
  orders: readonly SeededOrder[],
  calls = 300,
): Promise<QueryTime> {
  return timeCalls(databaseUrl, calls, (pool, call) => {
    const order = orders[call % orders.length]!;
    return pool.query(SELECT_CUSTOMER_ORDER, [order.id, order.customerId]);
  });
}

/** The database part of POST /orders: insert the pending order (a transaction), settle it. */
export function timeOrderWrite(databaseUrl: string, calls = 200): Promise<QueryTime> {
  return timeCalls(databaseUrl, calls, async (pool) => {
    const repository = new OrderRepository(pool);
    const order = await repository.insertPending({
      id: randomUUID(),
      customerId: "bench-query-timing",
      totalCents: 13_250,
      currency: "USD",
      paymentToken: "tok_bench",
      items: [
        { productId: "sku-mug", quantity: 1, unitPriceCents: 1450 },
        { productId: "sku-kettle", quantity: 2, unitPriceCents: 5900 },
      ],
    });
    await repository.settle(order.id, "paid", "ch_bench_query_timing");
  });
}
