// What the invariants are checked against: the orders and Idempotency-Key records in the
// database (read directly, never through the cuttable proxy) and the gateway's ledger.
import { Client } from "pg";

export interface StoredOrder {
  readonly id: string;
  readonly customerId: string;
  readonly status: "pending" | "paid" | "payment_failed";
  readonly totalCents: number;
  readonly currency: string;
  readonly hasPaymentToken: boolean;
  /** created_at in epoch milliseconds (the server shares this machine's clock). */
  readonly createdAtMs: number;
}

export interface StoredKey {
  /** Keys are scoped to the caller: (customerId, key) names one record. */
  readonly customerId: string;
  readonly key: string;
  readonly orderId: string | null;
  readonly responseStatus: number | null;
}

export interface DatabaseSnapshot {
  readonly orders: ReadonlyMap<string, StoredOrder>;
  readonly keys: readonly StoredKey[];
}

/** One entry per Idempotency-Key the gateway stored an answer for (201 charged, 402 declined). */
export interface LedgerEntry {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly status: number;
  readonly amountCents?: number;
  readonly currency?: string;
  /** Charge requests with this key that reached the ledger (1 + replays). */
  readonly requests?: number;
}

export async function readDatabase(url: string): Promise<DatabaseSnapshot> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const orders = await client.query<{
      id: string;
      customer_id: string;
      status: StoredOrder["status"];
      total_cents: string;
      currency: string;
      has_token: boolean;
      created_ms: number;
    }>(
      `SELECT id, customer_id, status, total_cents, currency, payment_token IS NOT NULL AS has_token,
              (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
       FROM orders`,
    );
    const keys = await client.query<{
      customer_id: string;
      key: string;
      order_id: string | null;
      response_status: number | null;
    }>("SELECT customer_id, key, order_id, response_status FROM idempotency_keys");
    return {
      orders: new Map(
        orders.rows.map((row) => [
          row.id,
          {
            id: row.id,
            customerId: row.customer_id,
            status: row.status,
            totalCents: Number(row.total_cents),
            currency: row.currency,
            hasPaymentToken: row.has_token,
            createdAtMs: row.created_ms,
          },
        ]),
      ),
      keys: keys.rows.map((row) => ({
        customerId: row.customer_id,
        key: row.key,
        orderId: row.order_id,
        responseStatus: row.response_status,
      })),
    };
  } finally {
    await client.end();
  }
}

export async function readLedger(paymentsUrl: string): Promise<LedgerEntry[]> {
  const response = await fetch(`${paymentsUrl}/_charges`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET /_charges answered ${response.status}`);
  return ((await response.json()) as { charges: LedgerEntry[] }).charges;
}

export function countBy<T>(
  values: Iterable<T>,
  label: (value: T) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[label(value)] = (counts[label(value)] ?? 0) + 1;
  return counts;
}

export async function countPendingOrders(url: string): Promise<number> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ pending: number }>(
      "SELECT count(*)::int AS pending FROM orders WHERE status = 'pending'",
    );
    return rows[0]?.pending ?? 0;
  } finally {
    await client.end();
  }
}
