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

// One round trip per read: lines are folded into a JSON array next to their order.
const selectOrders = (extraColumns = "") => `
  SELECT o.id, o.customer_id, o.status, o.total_cents, o.currency, o.created_at, o.updated_at,
         ${extraColumns}
         to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts,
         COALESCE((SELECT json_agg(json_build_object('productId', l.product_id,
                                                     'quantity', l.quantity,
                                                     'unitPriceCents', l.unit_price_cents)
                                   ORDER BY l.line_no)
                   FROM order_lines l WHERE l.order_id = o.id), '[]') AS items
  FROM orders o`;
const SELECT_ORDERS = selectOrders();
const SELECT_ORDERS_WITH_TOKEN = selectOrders("o.payment_token,");
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

async function settleWith(
  db: Pick<Pool, "query">,
  id: string,
  status: Exclude<OrderStatus, "pending">,
  paymentId?: string,
): Promise<Order | undefined> {
  await db.query(
    `UPDATE orders
     SET status = $2, payment_id = $3, payment_token = NULL, updated_at = now()
     WHERE id = $1 AND status = 'pending'`,
    [id, status, paymentId ?? null],
  );
  // A separate statement: a data-modifying CTE's outer query would still see the old row.
  const { rows } = await db.query<OrderRow>(SELECT_ORDER_BY_ID, [id]);
  return rows[0] && toOrder(rows[0]);
}

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
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO orders (id, customer_id, status, total_cents, currency, payment_token)
         VALUES ($1, $2, 'pending', $3, $4, $5)`,
        [order.id, order.customerId, order.totalCents, order.currency, order.paymentToken],
      );
      await client.query(
        `INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
         SELECT $1, n - 1, p, q, c
         FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS l(p, q, c, n)`,
        [
          order.id,
          order.items.map((line) => line.productId),
          order.items.map((line) => line.quantity),
          order.items.map((line) => line.unitPriceCents),
        ],
      );
      const claim = order.idempotencyClaim;
      if (claim) {
        const linked = await client.query(
          `UPDATE idempotency_keys SET order_id = $4
           WHERE customer_id = $1 AND key = $2 AND claim_token = $3`,
          [claim.customerId, claim.key, claim.token, order.id],
        );
        // The claim expired and a retry holds the key now: it places the order, not us.
        if (linked.rowCount !== 1) throw new ClaimLostError(claim.key);
      }
      const { rows } = await client.query<OrderRow>(SELECT_ORDER_BY_ID, [order.id]);
      return toOrder(rows[0]!);
    });
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
