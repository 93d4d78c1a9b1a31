// A 5xx answered by the very attempt that stored the order, found by time: the order's
// created_at lies inside that attempt's request window, and no earlier attempt of the key
// can have stored it (each of them was answered, so none was still running on a replica).
// Such a 5xx breaks "503 only when nothing was stored" - unless the service could not know
// (the reply to its COMMIT lost with the connection) - so it is a figure to read, not a
// violation; a 5xx that names its order is a violation of its own (answer-rules.ts).
import type { ChaosLog } from "./chaos-log";
import type { DatabaseSnapshot } from "./evidence";

/** One description per such answer. */
export function fiveXxFromTheStoringAttempt(log: ChaosLog, after: DatabaseSnapshot): string[] {
  const found: string[] = [];
  for (const record of log.keys) {
    const orderId = [...record.orderIds][0];
    const order = orderId === undefined ? undefined : after.orders.get(orderId);
    if (!order) continue;
    for (const attempt of record.history) {
      // Date.now() is a floor: created >= sent floor and created < ended floor are both sure.
      const inWindow =
        order.createdAtMs >= attempt.sentAtMs && order.createdAtMs < attempt.endedAtMs;
      if (inWindow && /^5\d\d$/.test(attempt.outcome)) {
        found.push(`${record.key}: ${attempt.outcome}, order ${order.id} stored meanwhile`);
      }
      if (!/^\d+$/.test(attempt.outcome) || order.createdAtMs < attempt.sentAtMs) break;
    }
  }
  return found;
}
