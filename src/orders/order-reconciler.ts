// Settles orders left `pending` (their charge failed or its answer was lost): charges each
// again with its original Idempotency-Key (the order id), so an order the payment service
// did charge is never charged twice, and marks it paid or payment_failed.
// Safe to run twice or concurrently: each order is row-locked (FOR UPDATE SKIP LOCKED).
import { PaymentDeclinedError, PaymentRejectedError, ServiceUnavailableError } from "../errors";
import type { Logger } from "../infra/logger";
import type { OrderRepository } from "./order-repository";
import type { PendingOrderCharger } from "./pending-order-charger";

export interface ReconcileSummary {
  examined: number;
  paid: number;
  declined: number;
  /** The payment service was unavailable or refused the request: left for the next run. */
  stillPending: number;
}

export interface OrderReconcilerOptions {
  readonly repository: OrderRepository;
  readonly charger: PendingOrderCharger;
  readonly logger: Logger;
  readonly minAgeMs: number;
  readonly limit: number;
}

export class OrderReconciler {
  constructor(private readonly options: OrderReconcilerOptions) {}

  async run(): Promise<ReconcileSummary> {
    const { repository, limit, minAgeMs } = this.options;
    const summary: ReconcileSummary = { examined: 0, paid: 0, declined: 0, stillPending: 0 };
    const leftPending: string[] = [];
    while (summary.examined < limit) {
      const outcome = await repository.withOldestPendingOrder(
        minAgeMs,
        leftPending,
        async ({ order, paymentToken }, settle) => {
          try {
            await this.options.charger.charge(order, paymentToken, settle);
            return "paid" as const;
          } catch (error) {
            if (error instanceof PaymentDeclinedError) return "declined" as const;
            if (error instanceof ServiceUnavailableError || error instanceof PaymentRejectedError) {
              leftPending.push(order.id);
              return "stillPending" as const;
            }
            throw error;
          }
        },
      );
      if (outcome === undefined) break;
      summary.examined += 1;
      summary[outcome] += 1;
    }
    return summary;
  }
}
