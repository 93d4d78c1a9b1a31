// All SQL for orders, parameterised. Rows become API-shaped Orders here and nowhere else.
import type { Pool } from "pg";
import { inTransaction } from "../infra/postgres";
import { ClaimLostError, type IdempotencyClaim } from "../idempotency/idempotency-store";
import type { OrderCursor } from "./cursor";
import type { Order, OrderLine, OrderStatus } from "./order";

export interface NewOrder {
  readonly id: string;
  readonly customerId: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly items: readonly OrderLine[];
  /** Links the order to the Idempotency-Key claim that created it, in the same transaction. */
  readonly idempotencyClaim?: IdempotencyClaim;
}

export interface OrderPage {
  readonly orders: Order[];
  readonly last?: OrderCursor;
}

/** A row of SELECT_ORDERS (exported with toOrder for the benchmark's minimal handler). */
export interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: string;
  currency: string;
  created_at: Date;
  updated_at: Date;
  cursor_ts: string;
  items: { productId: string; quantity: number; unitPriceCents: number }[];
}

// The API's columns of an order `o`, its lines folded into a JSON array next to it: one round
// trip per read, and the RETURNING list of a settle.
const orderColumns = (extraColumns = "") => `
  o.id, o.customer_id, o.status, o.total_cents, o.currency, o.created_at, o.updated_at,
  ${extraColumns}
  to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts,
  COALESCE((SELECT json_agg(json_build_object('productId', l.product_id,
                                              'quantity', l.quantity,
                                              'unitPriceCents', l.unit_price_cents)
                            ORDER BY l.line_no)
            FROM order_lines l WHERE l.order_id = o.id), '[]') AS items`;
const ORDER_COLUMNS = orderColumns();
const SELECT_ORDERS = `SELECT ${ORDER_COLUMNS} FROM orders o`;
const SELECT_ORDERS_WITH_TOKEN = `SELECT ${orderColumns("o.payment_token,")} FROM orders o`;
// Built once: the hot reads must not concatenate ~800 characters of SQL on every call.
export const SELECT_ORDER_BY_ID = `${SELECT_ORDERS} WHERE o.id = $1`;
/** Exported for the benchmark's minimal handler, so both run exactly the same query. */
export const SELECT_CUSTOMER_ORDER = `${SELECT_ORDERS} WHERE o.id = $1 AND o.customer_id = $2`;

export type SettleOrder = (
  id: string,
  status: Exclude<OrderStatus, "pending">,
  paymentId?: string,
) => Promise<Order | undefined>;

export interface PendingOrder {
  readonly order: Order;
  readonly paymentToken: string;
}

// The row as it is after the UPDATE: RETURNING sees the new status, and its subquery the lines.
const SETTLE_ORDER = `
  UPDATE orders o
  SET status = $2, payment_id = $3, payment_token = NULL, updated_at = now()
  WHERE o.id = $1 AND o.status = 'pending'
  RETURNING ${ORDER_COLUMNS}`;

async function settleWith(
  db: Pick<Pool, "query">,
  id: string,
  status: Exclude<OrderStatus, "pending">,
  paymentId?: string,
): Promise<Order | undefined> {
  const settled = await db.query<OrderRow>(SETTLE_ORDER, [id, status, paymentId ?? null]);
  // Not pending (settled already, by a retry or the reconciler) or not there: as it is now.
  const { rows } = settled.rowCount ? settled : await db.query<OrderRow>(SELECT_ORDER_BY_ID, [id]);
  return rows[0] && toOrder(rows[0]);
}

// One statement, so one round trip and atomic without a transaction of its own: the order, its
// lines and (with an Idempotency-Key) the claim's link to it are written together or not at
// all. With a claim that is no longer ours (it expired and a retry holds the key now) nothing
// is written and no row comes back. The foreign keys from order_lines and idempotency_keys to
// the new order are checked at the statement's end, once the order is there.
const INSERT_PENDING_ORDER = `
  WITH claim AS (
    UPDATE idempotency_keys SET order_id = $1
    WHERE $7::text IS NOT NULL AND customer_id = $6 AND key = $7 AND claim_token = $8
    RETURNING 1
  ), inserted AS (
    INSERT INTO orders (id, customer_id, status, total_cents, currency, payment_token)
    SELECT $1, $2, 'pending', $3, $4, $5
    WHERE $7::text IS NULL OR EXISTS (SELECT FROM claim)
    RETURNING created_at, updated_at
  ), lines AS (
    INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
    SELECT $1, n - 1, p, q, c
    FROM unnest($9::text[], $10::int[], $11::int[]) WITH ORDINALITY AS l(p, q, c, n)
    WHERE EXISTS (SELECT FROM inserted)
  )
  SELECT created_at, updated_at FROM inserted`;

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    items: row.items,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class OrderRepository {
  constructor(private readonly pool: Pool) {}

  async insertPending(order: NewOrder): Promise<Order> {
    const claim = order.idempotencyClaim;
    const { rows } = await this.pool.query<{ created_at: Date; updated_at: Date }>(
      INSERT_PENDING_ORDER,
      [
        order.id,
        order.customerId,
        order.totalCents,
        order.currency,
        order.paymentToken,
        claim?.customerId ?? null,
        claim?.key ?? null,
        claim?.token ?? null,
        order.items.map((line) => line.productId),
        order.items.map((line) => line.quantity),
        order.items.map((line) => line.unitPriceCents),
      ],
    );
    const inserted = rows[0];
    if (!inserted) throw new ClaimLostError(claim!.key);
    return {
      id: order.id,
      customerId: order.customerId,
      status: "pending",
      totalCents: order.totalCents,
      currency: order.currency,
      items: order.items.map(({ productId, quantity, unitPriceCents }) => ({
        productId,
        quantity,
        unitPriceCents,
      })),
      createdAt: inserted.created_at.toISOString(),
      updatedAt: inserted.updated_at.toISOString(),
    };
  }

  /** Settles a pending order and forgets its payment token; a settled order is left as it is. */
  settle(
    id: string,
    status: Exclude<OrderStatus, "pending">,
    paymentId?: string,
  ): Promise<Order | undefined> {
    return settleWith(this.pool, id, status, paymentId);
  }

  /**
   * Locks the first pending order after `after` in (created_at, id) order that was created at
   * least `minAgeMs` ago (skipping rows another reconcile holds) and runs `work` on it inside
   * the lock's transaction; `work` must settle it with the `settle` it is given. Undefined when
   * none is left. Walking the backlog by this keyset visits each order once, however many stay
   * pending, at the cost of one index lookup per order.
   */
  async withNextPendingOrder<T>(
    minAgeMs: number,
    after: OrderCursor | undefined,
    work: (pending: PendingOrder, settle: SettleOrder) => Promise<T>,
  ): Promise<{ readonly result: T; readonly position: OrderCursor } | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<OrderRow & { payment_token: string }>(
        `${SELECT_ORDERS_WITH_TOKEN}
         WHERE o.status = 'pending'
           AND o.created_at <= now() - make_interval(secs => $1 / 1000.0)
           AND ($2::timestamptz IS NULL OR (o.created_at, o.id) > ($2::timestamptz, $3::uuid))
         ORDER BY o.created_at, o.id
         LIMIT 1
         FOR UPDATE OF o SKIP LOCKED`,
        [minAgeMs, after?.createdAt ?? null, after?.id ?? null],
      );
      const row = rows[0];
      if (!row) return undefined;
      const pending = { order: toOrder(row), paymentToken: row.payment_token };
      const result = await work(pending, (id, status, paymentId) =>
        settleWith(client, id, status, paymentId),
      );
      return { result, position: { createdAt: row.cursor_ts, id: row.id } };
    });
  }

  async findById(id: string): Promise<Order | undefined> {
    const { rows } = await this.pool.query<OrderRow>(SELECT_ORDER_BY_ID, [id]);
    return rows[0] && toOrder(rows[0]);
  }

  /** The order, if it exists and is the customer's: another's is never even read. */
  async findCustomerOrder(customerId: string, id: string): Promise<Order | undefined> {
    const { rows } = await this.pool.query<OrderRow>(SELECT_CUSTOMER_ORDER, [id, customerId]);
    return rows[0] && toOrder(rows[0]);
  }

  /** Newest first; `after` is the last order of the previous page. */
  async listByCustomer(customerId: string, limit: number, after?: OrderCursor): Promise<OrderPage> {
    const params: unknown[] = [customerId, limit + 1];
    let keyset = "";
    if (after) {
      params.push(after.createdAt, after.id);
      keyset = "AND (o.created_at, o.id) < ($3::timestamptz, $4::uuid)";
    }
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS}
       WHERE o.customer_id = $1 ${keyset}
       ORDER BY o.created_at DESC, o.id DESC
       LIMIT $2`,
      params,
    );
    const page = rows.slice(0, limit);
    const lastRow = page.at(-1);
    const hasMore = rows.length > limit;
    return {
      orders: page.map(toOrder),
      last: hasMore && lastRow ? { createdAt: lastRow.cursor_ts, id: lastRow.id } : undefined,
    };
  }
}
