// The bench's own database: created and migrated fresh for each run, dropped at the end,
// seeded with orders to read back. Named after the run's process, so a bench and a soak (or two
// benches) on one machine never drop each other's database; a killed run's leftover, whose
// process is gone, is dropped by the next run.
import { Client } from "pg";
import { createLogger } from "../../src/infra/logger";
import { applyMigrations } from "../../src/infra/migrations";
import { isAlive } from "../../test/support/process-alive";

const ADMIN_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BENCH_DATABASE_PREFIX = "orders_bench_";
export const BENCH_DATABASE = `${BENCH_DATABASE_PREFIX}${process.pid}`;

export function benchDatabaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DATABASE}`;
  return url.href;
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropBenchDatabase(): Promise<void> {
  await withClient(ADMIN_URL, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`),
  );
}

async function dropLeftovers(): Promise<void> {
  await withClient(ADMIN_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'orders\\_bench\\_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice(BENCH_DATABASE_PREFIX.length));
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
  });
}

/** A fresh database with the service's migrations applied; returns its URL. */
export async function createBenchDatabase(): Promise<string> {
  await dropLeftovers();
  await dropBenchDatabase();
  await withClient(ADMIN_URL, (client) => client.query(`CREATE DATABASE ${BENCH_DATABASE}`));
  const url = benchDatabaseUrl();
  await applyMigrations(url, createLogger({ level: "silent" }));
  return url;
}

export interface SeededOrder {
  readonly id: string;
  /** Its owner: only this customer's token can read it (anyone else gets a 404). */
  readonly customerId: string;
}

/** Customers the seeded orders belong to (one bench token each). */
export const SEEDED_CUSTOMERS = 50;

/** `count` paid orders of two lines each, spread over SEEDED_CUSTOMERS customers. */
export async function seedOrders(url: string, count: number): Promise<SeededOrder[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: string; customer_id: string }>(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency)
       SELECT gen_random_uuid(), 'bench-seed-' || (n % $2), 'paid', 13250, 'USD'
       FROM generate_series(1, $1) AS n
       RETURNING id, customer_id`,
      [count, SEEDED_CUSTOMERS],
    );
    await client.query(
      `INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
       SELECT o.id, l.line_no, l.product_id, l.quantity, l.unit_price_cents
       FROM orders o
       CROSS JOIN (VALUES (0, 'sku-mug', 1, 1450), (1, 'sku-kettle', 2, 5900))
         AS l(line_no, product_id, quantity, unit_price_cents)`,
    );
    await client.query("ANALYZE orders; ANALYZE order_lines");
    return rows.map((row) => ({ id: row.id, customerId: row.customer_id }));
  });
}
