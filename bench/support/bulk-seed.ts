// Large order tables, fast: every order of a growth step and its two lines in ONE statement
// (generate_series -> INSERT ... RETURNING -> INSERT of the lines), so 10^6 orders take seconds,
// not the minutes of row-by-row inserts. Called again with a larger `to`, it adds only the
// orders between the two sizes, so one table grows through 10^3, 10^5, 10^6 without reseeding.
import type { Client } from "pg";
import { withClient } from "./bench-database";

/** Owns a long history (HEAVY_SHARE of the table, at least HEAVY_MINIMUM orders): deep pages. */
export const HEAVY_CUSTOMER = "growth-heavy";
const HEAVY_SHARE = 0.01;
const HEAVY_MINIMUM = 500;
/** Every other order belongs to a customer of ORDERS_PER_CUSTOMER orders: growth-c<n / 10>. */
const ORDERS_PER_CUSTOMER = 10;

export const heavyTarget = (size: number) =>
  Math.max(HEAVY_MINIMUM, Math.round(size * HEAVY_SHARE));

/** A regular customer's id; `index` ranges over 0 .. regularCustomers(size) - 1. */
export const regularCustomer = (index: number) => `growth-c${index}`;
export const regularCustomers = (size: number) => Math.floor(size / ORDERS_PER_CUSTOMER);

/** Empties the orders table (and what references it): growth starts from nothing. */
export function emptyOrders(url: string): Promise<unknown> {
  return withClient(url, (client) => client.query("TRUNCATE orders, order_lines CASCADE"));
}

/**
 * Adds orders number from+1 .. to (a table that holds `from` growth orders ends with `to`).
 * The heavy customer's orders are spread evenly among the others, in time and on the heap, as
 * a long-standing customer's would be; created_at goes one second back per order number, so
 * the keyset (created_at, id) is in a realistic order. Returns the heavy customer's count.
 */
export async function growOrders(url: string, from: number, to: number): Promise<number> {
  return withClient(url, async (client) => {
    const heavyToAdd = Math.max(0, heavyTarget(to) - (await heavyCount(client)));
    // Every stride-th new order is the heavy customer's (none when it has its share already).
    const stride = heavyToAdd === 0 ? to - from + 1 : Math.floor((to - from) / heavyToAdd);
    await client.query(
      `WITH new_orders AS (
         INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN (n - $1::int) % $3::int = 0 THEN $4::text
                     ELSE 'growth-c' || (n / $5::int) END,
                'paid', 13250, 'USD',
                now() - make_interval(secs => n), now() - make_interval(secs => n)
         FROM generate_series($1::int + 1, $2::int) AS n
         RETURNING id
       )
       INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
       SELECT o.id, l.line_no, l.product_id, l.quantity, l.unit_price_cents
       FROM new_orders o
       CROSS JOIN (VALUES (0, 'sku-mug', 1, 1450), (1, 'sku-kettle', 2, 5900))
         AS l(line_no, product_id, quantity, unit_price_cents)`,
      [from, to, stride, HEAVY_CUSTOMER, ORDERS_PER_CUSTOMER],
    );
    // Statistics for the planner, and the visibility map and hint bits set as autovacuum
    // leaves a production table: the first reads must not pay for the bulk insert.
    await client.query("VACUUM (ANALYZE) orders, order_lines");
    return heavyCount(client);
  });
}

async function heavyCount(client: Client): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    "SELECT count(*) FROM orders WHERE customer_id = $1",
    [HEAVY_CUSTOMER],
  );
  return Number(rows[0]!.count);
}

/** Every order of the given customers (the orders GET /orders/:id reads at one size). */
export async function ordersOf(
  url: string,
  customerIds: readonly string[],
): Promise<{ id: string; customerId: string }[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: string; customer_id: string }>(
      "SELECT id, customer_id FROM orders WHERE customer_id = ANY($1::text[])",
      [customerIds],
    );
    return rows.map((row) => ({ id: row.id, customerId: row.customer_id }));
  });
}
