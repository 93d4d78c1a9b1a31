import type { Tracer } from "@opentelemetry/api";
import { BreakerOpenError } from "../resilience/circuit-breaker";
import { inSpan } from "../telemetry/in-span";
import { recordBreakerRejection } from "../telemetry/span-annotations";
import type { Charge, ChargeOutcome, GuardedPaymentGateway } from "./payment-gateway";

/** One span per charge (never its card token), and the breaker's refusals as events. */
export class TracedPaymentGateway implements GuardedPaymentGateway {
  constructor(
    private readonly gateway: GuardedPaymentGateway,
    private readonly tracer: Tracer,
  ) {}

  ensureAcceptingCharges(): void {
    try {
      this.gateway.ensureAcceptingCharges();
    } catch (error) {
      if (error instanceof BreakerOpenError) recordBreakerRejection(error);
      throw error;
    }
  }

  charge(charge: Charge, signal?: AbortSignal): Promise<ChargeOutcome> {
    const attributes = {
      "order.id": charge.orderId,
      "payment.amount_cents": charge.amountCents,
      "payment.currency": charge.currency,
    };
    return inSpan(this.tracer, "payment charge", attributes, async (span) => {
      const outcome = await this.gateway.charge(charge, signal);
      span.setAttribute("payment.outcome", outcome.outcome);
      return outcome;
    });
  }
}
