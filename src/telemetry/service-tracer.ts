import { trace, type Tracer } from "@opentelemetry/api";

/**
 * The tracer for the spans the service makes itself (product lookup, payment charge). Without
 * the SDK (tracing off) the API hands out a no-op one: the same code, no spans.
 */
export function serviceTracer(): Tracer {
  return trace.getTracer("order-service");
}
