// Charging a stored pending order and settling it: shared by POST /orders, an idempotent
// retry of it, and the reconcile admin process.
import type { PaymentGateway } from "../clients/payment-gateway";
import { retryAfterSecondsOf } from "../clients/upstream-errors";
import { PaymentRequestRejectedError } from "../clients/payment-gateway";
import { PaymentDeclinedError, PaymentRejectedError, ServiceUnavailableError } from "../errors";
import type { Logger } from "../infra/logger";
import type { Order } from "./order";
import type { OrderRepository, SettleOrder } from "./order-repository";

export interface PendingOrderChargerDependencies {
  readonly repository: Pick<OrderRepository, "settle">;
  readonly paymentGateway: PaymentGateway;
  readonly logger: Logger;
}

export class PendingOrderCharger {
  constructor(private readonly deps: PendingOrderChargerDependencies) {}

  /**
   * Charges the order with its id as the payment service's Idempotency-Key (a repeat returns
   * the first charge) and settles it: resolves with the paid order, rejects with
   * PaymentDeclinedError (now payment_failed), or with ServiceUnavailableError /
   * PaymentRejectedError (still pending, token kept for the next try).
   */
  async charge(
    order: Order,
    paymentToken: string,
    settle: SettleOrder = (id, status, paymentId) =>
      this.deps.repository.settle(id, status, paymentId),
  ): Promise<Order> {
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
        this.deps.logger.error({ err: error, orderId: order.id }, "payment request rejected");
        throw new PaymentRejectedError(error.status, order.id);
      }
      this.deps.logger.warn(
        { err: error, orderId: order.id },
        "payment unavailable; order kept pending",
      );
      throw new ServiceUnavailableError(
        "payment-service",
        "The payment service is unavailable; the order is stored as pending",
        retryAfterSecondsOf(error),
        order.id,
        { cause: error },
      );
    }
    if (outcome.outcome === "declined") {
      await settle(order.id, "payment_failed");
      throw new PaymentDeclinedError(order.id);
    }
    const settled = await settle(order.id, "paid", outcome.chargeId);
    return settled ?? order;
  }
}
