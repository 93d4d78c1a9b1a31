import type { Tracer } from "@opentelemetry/api";
import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import { noMetrics, type Metrics } from "../infra/metrics";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import { createUpstreamBreaker } from "../resilience/upstream-breakers";
import { BreakerProtectedPaymentGateway } from "./breaker-protected-payment-gateway";
import {
  HttpPaymentGateway,
  type Charge,
  type ChargeOutcome,
  type GuardedPaymentGateway,
} from "./payment-gateway";
import { TracedPaymentGateway } from "./traced-payment-gateway";
import { serviceTracer } from "../telemetry/service-tracer";

export interface PaymentClient {
  readonly gateway: GuardedPaymentGateway;
  readonly breaker: CircuitBreaker<[Charge, AbortSignal | undefined], ChargeOutcome>;
}

/**
 * The payment service client as every process uses it: HTTP with a timeout, behind its
 * breaker, each charge a span.
 */
export function createPaymentClient(
  config: Config,
  logger: Logger,
  metrics: Metrics = noMetrics,
  tracer: Tracer = serviceTracer(),
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
  const gateway = new TracedPaymentGateway(new BreakerProtectedPaymentGateway(breaker), tracer);
  return { gateway, breaker };
}
