import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import { noMetrics, type Metrics } from "../infra/metrics";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import { createUpstreamBreaker } from "../resilience/upstream-breakers";
import { BreakerProtectedPaymentGateway } from "./breaker-protected-payment-gateway";
import { HttpPaymentGateway, type Charge, type ChargeOutcome } from "./payment-gateway";

export interface PaymentClient {
  readonly gateway: BreakerProtectedPaymentGateway;
  readonly breaker: CircuitBreaker<[Charge, AbortSignal | undefined], ChargeOutcome>;
}

/** The payment service client as every process uses it: HTTP with a timeout, behind its breaker. */
export function createPaymentClient(
  config: Config,
  logger: Logger,
  metrics: Metrics = noMetrics,
): PaymentClient {
  const http = new HttpPaymentGateway({
    baseUrl: config.paymentApi.url,
    apiKey: config.paymentApi.apiKey,
    timeoutMs: config.paymentApi.timeoutMs,
  });
  const breaker = createUpstreamBreaker(
    "payment-service",
    (charge: Charge, signal: AbortSignal | undefined) => http.charge(charge, signal),
    { settings: config.breaker, logger, metrics },
  );
  return { gateway: new BreakerProtectedPaymentGateway(breaker), breaker };
}
