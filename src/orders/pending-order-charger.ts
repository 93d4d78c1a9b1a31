// Charging a stored pending order and settling it: shared by POST /orders, an idempotent
// retry of it, and the reconcile admin process.
import type { GuardedPaymentGateway } from "../clients/payment-gateway";
import { PaymentRequestRejectedError } from "../clients/payment-gateway";
import type { Logger } from "../infra/logger";
import type { Order } from "./order";
import type { OrderRepository, SettleOrder } from "./order-repository";

export interface PendingOrderChargerDependencies {
  readonly repository: Pick<OrderRepository, "settle">;
  readonly paymentGateway: GuardedPaymentGateway;
  readonly logger: Logger;
}

export class PendingOrderCharger {
  constructor(private readonly deps: PendingOrderChargerDependencies) {}

  /**
   * Throws BreakerOpenError when the payment service's breaker would refuse a charge right
   * now: callers check this before storing an order, so a refusal stores nothing.
   */
  ensureCanCharge(): void {
    this.deps.paymentGateway.ensureAcceptingCharges();
  }

  /**
   * Charges the order with its id as the payment service's Idempotency-Key (a repeat returns
   * the first charge) and settles it. Resolves with the order as it now stands: `paid`,
   * `payment_failed` (declined), or still `pending` when the charge could not complete or its
   * outcome could not be stored - then the order keeps its payment token, and a retry under
   * the same Idempotency-Key or `reconcile` finishes it without charging twice.
   */
  async charge(
    order: Order,
    paymentToken: string,
    settle: SettleOrder = (id, status, paymentId) =>
      this.deps.repository.settle(id, status, paymentId),
  ): Promise<Order> {
    const { logger } = this.deps;
    let outcome;
    try {
      outcome = await this.deps.paymentGateway.charge({
        orderId: order.id,
        amountCents: order.totalCents,
        currency: order.currency,
        token: paymentToken,
      });
    } catch (error) {
      if (error instanceof PaymentRequestRejectedError) {
        // Our request or our credentials are wrong: an operator has to look at it.
        logger.error(
          { err: error, orderId: order.id },
          "payment request rejected; order kept pending",
        );
      } else {
        logger.warn({ err: error, orderId: order.id }, "payment unavailable; order kept pending");
      }
      return order;
    }
    try {
      const settled =
        outcome.outcome === "declined"
          ? await settle(order.id, "payment_failed")
          : await settle(order.id, "paid", outcome.chargeId);
      return settled ?? order;
    } catch (error) {
      // The payment service has answered, but the database did not take the outcome: the
      // order stays pending, and the next charge with the same key replays this answer.
      logger.warn(
        { err: error, orderId: order.id, payment: outcome.outcome },
        "payment outcome not stored; order kept pending",
      );
      return order;
    }
  }
}
