// The consistency invariants of a chaos run, checked after the faults stopped, every client
// finished and reconcile ran: against what the clients were answered, the database and the
// payment gateway's ledger. Each broken rule is added to the run's violations.
import type { ChaosLog } from "./chaos-log";
import type { DatabaseSnapshot, LedgerEntry } from "./evidence";
import type { CrashRecord } from "./replica";
import type { ViolationList } from "./violations";

export interface InvariantInput {
  readonly log: ChaosLog;
  /** After the clients finished, before reconcile. */
  readonly beforeReconcile: DatabaseSnapshot;
  /** After reconcile. */
  readonly after: DatabaseSnapshot;
  readonly ledger: readonly LedgerEntry[];
  readonly crashes: readonly CrashRecord[];
}

function group<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  return groups;
}

export function checkInvariants(input: InvariantInput, violations: ViolationList): void {
  const { log, after, ledger } = input;

  for (const crash of input.crashes) {
    violations.add(
      "replica exited by itself (crash)",
      `${crash.replica}: exit code ${crash.code}, signal ${crash.signal}` +
        (crash.fatal ? `, fatal "${crash.fatal}"` : `, stderr ${crash.stderr.slice(-200)}`),
    );
  }

  // What the clients were answered. A key is the caller's: (customer, key) names its record.
  const scoped = (customerId: string, key: string) => `${customerId}\u0000${key}`;
  const keyRows = new Map(after.keys.map((row) => [scoped(row.customerId, row.key), row]));
  for (const record of log.keys) {
    const caller = record.body.customerId;
    const ids = [...record.orderIds];
    if (ids.length > 1) {
      violations.add(
        "one Idempotency-Key answered with several orders",
        `${record.key}: ${ids.join(", ")}`,
      );
    }
    for (const id of ids) {
      const order = after.orders.get(id);
      if (!order) {
        violations.add("answered order missing from the database", `${record.key}: ${id}`);
      } else if (order.customerId !== caller) {
        violations.add(
          "answered order belongs to another customer than the caller",
          `${record.key}: ${id} is ${order.customerId}'s, the token was ${caller}'s`,
        );
      }
    }
    const linked = keyRows.get(scoped(caller, record.key))?.orderId;
    if (linked && ids.some((id) => id !== linked)) {
      violations.add(
        "Idempotency-Key links another order than it answered",
        `${record.key}: answered ${ids.join(", ")}, linked ${linked}`,
      );
    }
    const final = record.final;
    const answered = ids[0] === undefined ? undefined : after.orders.get(ids[0]);
    if (final && answered) {
      const expected =
        final.status === 201 ? "paid" : final.status === 402 ? "payment_failed" : undefined;
      if (expected && answered.status !== expected) {
        violations.add(
          "final answer contradicts the stored order",
          `${record.key}: answered ${final.status}, order ${answered.id} is ${answered.status}`,
        );
      }
    }
  }
  for (const record of log.gaveUp) {
    violations.add(
      "no final answer after the faults stopped",
      `${record.key}: ${record.attempts} attempts`,
    );
  }

  // Every order came from exactly one Idempotency-Key (every chaos order is keyed).
  const links = group(
    after.keys.filter((row) => row.orderId !== null),
    (row) => row.orderId!,
  );
  for (const order of after.orders.values()) {
    const keys = links.get(order.id) ?? [];
    if (keys.length === 0) {
      violations.add("order linked to no Idempotency-Key (a duplicate, or a lost link)", order.id);
    } else if (keys.length > 1) {
      violations.add(
        "order linked to several Idempotency-Keys",
        `${order.id}: ${keys.map((row) => row.key).join(", ")}`,
      );
    }
    for (const row of keys) {
      if (row.customerId !== order.customerId) {
        violations.add(
          "order linked to another customer's Idempotency-Key",
          `${order.id} (${order.customerId}'s): key ${row.key} is ${row.customerId}'s`,
        );
      }
    }
  }

  // The gateway's ledger against the orders.
  const chargesByOrder = group(ledger, (entry) => entry.orderId);
  for (const entry of ledger) {
    const order = after.orders.get(entry.orderId);
    if (entry.idempotencyKey !== entry.orderId) {
      violations.add(
        "charge not keyed by its order id",
        `key ${entry.idempotencyKey}, order ${entry.orderId}`,
      );
    }
    if (!order) {
      violations.add("charge without an order", `${entry.orderId} (${entry.status})`);
      continue;
    }
    if (entry.status === 201 && order.status !== "paid") {
      violations.add("charged order not paid", `${order.id} is ${order.status}`);
    }
    if (entry.status === 402 && order.status !== "payment_failed") {
      violations.add("declined order not payment_failed", `${order.id} is ${order.status}`);
    }
    if (entry.amountCents !== undefined && entry.amountCents !== order.totalCents) {
      violations.add(
        "charge amount differs from the order total",
        `${order.id}: charged ${entry.amountCents}, total ${order.totalCents}`,
      );
    }
  }
  for (const [orderId, entries] of chargesByOrder) {
    if (entries.length > 1) {
      violations.add(
        "order charged more than once",
        `${orderId}: keys ${entries.map((entry) => entry.idempotencyKey).join(", ")}`,
      );
    }
  }
  for (const order of after.orders.values()) {
    const statuses = (chargesByOrder.get(order.id) ?? []).map((entry) => entry.status);
    if (order.status === "paid" && !statuses.includes(201)) {
      violations.add("paid order without a successful charge", order.id);
    }
    if (order.status === "payment_failed" && !statuses.includes(402)) {
      violations.add("payment_failed order without a declined charge", order.id);
    }
  }

  // Pending orders: settled by reconcile, and never without the token that settles them.
  for (const [when, snapshot] of [
    ["before reconcile", input.beforeReconcile],
    ["after reconcile", after],
  ] as const) {
    for (const order of snapshot.orders.values()) {
      if (order.status === "pending" && !order.hasPaymentToken) {
        violations.add("pending order without its payment token", `${order.id} (${when})`);
      }
      if (order.status !== "pending" && order.hasPaymentToken) {
        violations.add("settled order still holds its payment token", `${order.id} (${when})`);
      }
    }
  }
  for (const order of after.orders.values()) {
    if (order.status === "pending") {
      violations.add("pending order left after reconcile (gateway healthy)", order.id);
    }
  }
}
