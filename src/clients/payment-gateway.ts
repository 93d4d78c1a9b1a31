// The payment service as the order service sees it (DESIGN.md "Downstream services").
import { z } from "zod";
import { requestJson, retryAfterSeconds, withTrailingSlash } from "./http-json";
import {
  isTransientStatus,
  UpstreamStatusError,
  UnusableUpstreamAnswerError,
} from "../resilience/upstream-errors";

export interface Charge {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly token: string;
}

export type ChargeOutcome =
  { readonly outcome: "succeeded"; readonly chargeId: string } | { readonly outcome: "declined" };

export interface PaymentGateway {
  /** Charges once per order: the order id is the Idempotency-Key, so a repeat is harmless. */
  charge(charge: Charge, signal?: AbortSignal): Promise<ChargeOutcome>;
}

/**
 * A gateway that knows, without calling, when it would refuse a charge (its circuit breaker is
 * open), so an order can be refused before anything is stored.
 */
export interface GuardedPaymentGateway extends PaymentGateway {
  /** Throws BreakerOpenError (with the time until the next trial) when charges are refused now. */
  ensureAcceptingCharges(): void;
}

/** The payment service refused the request itself (4xx other than 402): the caller's fault. */
export class PaymentRequestRejectedError extends Error {
  constructor(readonly status: number) {
    super(`payment service rejected the request with HTTP ${status}`);
    this.name = "PaymentRequestRejectedError";
  }
}

const succeededCharge = z.object({ id: z.string().min(1), status: z.literal("succeeded") });

// A conflict here means a charge with this Idempotency-Key is still in flight: "not now", but
// not the payment service failing either (it does not count against the breaker).
const CHARGE_IN_FLIGHT = 409;

export interface HttpPaymentGatewayOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

export class HttpPaymentGateway implements PaymentGateway {
  constructor(private readonly options: HttpPaymentGatewayOptions) {}

  async charge(charge: Charge, signal?: AbortSignal): Promise<ChargeOutcome> {
    const response = await requestJson({
      upstream: "payment-service",
      method: "POST",
      url: new URL("charges", withTrailingSlash(this.options.baseUrl)).href,
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        "idempotency-key": charge.orderId,
      },
      body: charge,
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    if (response.status === 201 || response.status === 200) {
      const body = succeededCharge.safeParse(response.body);
      if (body.success) return { outcome: "succeeded", chargeId: body.data.id };
      throw new UnusableUpstreamAnswerError("payment-service", response.status, "unexpected-body");
    }
    if (response.status === 402) return { outcome: "declined" };
    if (isTransientStatus(response.status) || response.status === CHARGE_IN_FLIGHT) {
      throw new UpstreamStatusError(
        "payment-service",
        response.status,
        retryAfterSeconds(response.headers),
      );
    }
    throw new PaymentRequestRejectedError(response.status);
  }
}
