// The payment service as the order service sees it (DESIGN.md "Downstream services").
import { z } from "zod";
import { requestJson, retryAfterSeconds, withTrailingSlash } from "./http-json";

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

/** The payment service failed (5xx, 408, 409, 429): worth trying again later. */
export class PaymentServiceError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterS?: number,
  ) {
    super(`payment service answered HTTP ${status}`);
    this.name = "PaymentServiceError";
  }
}

/** The payment service refused the request itself (4xx other than 402): the caller's fault. */
export class PaymentRequestRejectedError extends Error {
  constructor(readonly status: number) {
    super(`payment service rejected the request with HTTP ${status}`);
    this.name = "PaymentRequestRejectedError";
  }
}

const succeededCharge = z.object({ id: z.string().min(1), status: z.literal("succeeded") });

// 408/409/429 say "not now" rather than "never": a conflict here is a charge still in flight.
const TRANSIENT_CLIENT_STATUSES = new Set([408, 409, 425, 429]);

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
      throw new PaymentServiceError(response.status);
    }
    if (response.status === 402) return { outcome: "declined" };
    if (response.status >= 500 || TRANSIENT_CLIENT_STATUSES.has(response.status)) {
      throw new PaymentServiceError(response.status, retryAfterSeconds(response.headers));
    }
    throw new PaymentRequestRejectedError(response.status);
  }
}
