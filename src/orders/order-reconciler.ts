// Settles orders left `pending` (their charge failed or its answer was lost): charges each
// again with its original Idempotency-Key (the order id), so an order the payment service
// did charge is never charged twice, and marks it paid or payment_failed.
// Safe to run twice or concurrently: each order is row-locked (FOR UPDATE SKIP LOCKED).
import { BreakerOpenError } from "../resilience/circuit-breaker";
import type { Logger } from "../infra/logger";
import type { OrderCursor } from "./cursor";
import type { OrderRepository } from "./order-repository";
import type { PendingOrderCharger } from "./pending-order-charger";

export interface ReconcileSummary {
  examined: number;
  paid: number;
  declined: number;
  /** The charge could not complete (or its outcome not be stored): left for the next run. */
  stillPending: number;
  /** Why the run ended before the backlog did; absent when it got through it (or the limit). */
  stoppedEarly?: "payment-breaker-open";
}

export interface OrderReconcilerOptions {
  readonly repository: Pick<OrderRepository, "withNextPendingOrder">;
  readonly charger: PendingOrderCharger;
  readonly logger: Logger;
  readonly minAgeMs: number;
  readonly limit: number;
}

const SUMMARY_FIELD = {
  paid: "paid",
  payment_failed: "declined",
  pending: "stillPending",
} as const;

export class OrderReconciler {
  constructor(private readonly options: OrderReconcilerOptions) {}

  async run(): Promise<ReconcileSummary> {
    const { repository, limit, minAgeMs, logger } = this.options;
    const summary: ReconcileSummary = { examined: 0, paid: 0, declined: 0, stillPending: 0 };
    let after: OrderCursor | undefined;
    while (summary.examined < limit) {
      if (this.#paymentRefused()) {
        // Charging on would only lock orders to be refused: leave them for the next run.
        logger.warn(summary, "payment breaker open; reconcile stops early");
        summary.stoppedEarly = "payment-breaker-open";
        break;
      }
      const next = await repository.withNextPendingOrder(
        minAgeMs,
        after,
        ({ order, paymentToken }, settle) =>
          this.options.charger.charge(order, paymentToken, settle),
      );
      if (next === undefined) break;
      after = next.position;
      summary.examined += 1;
      summary[SUMMARY_FIELD[next.result.status]] += 1;
    }
    return summary;
  }

  #paymentRefused(): boolean {
    try {
      this.options.charger.ensureCanCharge();
      return false;
    } catch (error) {
      if (error instanceof BreakerOpenError) return true;
      throw error;
    }
  }
}
