import { BreakerOpenError, type CircuitBreaker } from "../resilience/circuit-breaker";
import type { Charge, ChargeOutcome, GuardedPaymentGateway } from "./payment-gateway";

/**
 * The payment gateway behind its circuit breaker. No retries here: a charge is retried later,
 * by the client (Idempotency-Key) or by `reconcile`, always with the order id as the payment
 * service's Idempotency-Key, so it can never be charged twice.
 */
export class BreakerProtectedPaymentGateway implements GuardedPaymentGateway {
  constructor(
    private readonly breaker: CircuitBreaker<[Charge, AbortSignal | undefined], ChargeOutcome>,
  ) {}

  ensureAcceptingCharges(): void {
    if (this.breaker.isRefusingCalls) {
      throw new BreakerOpenError(this.breaker.name, this.breaker.retryAfterMs);
    }
  }

  charge(charge: Charge, signal?: AbortSignal): Promise<ChargeOutcome> {
    return this.breaker.fire(charge, signal);
  }
}
