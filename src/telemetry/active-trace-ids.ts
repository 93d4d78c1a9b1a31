import { context, isSpanContextValid, trace } from "@opentelemetry/api";

export interface TraceIds {
  readonly trace_id: string;
  readonly span_id: string;
}

/**
 * The trace and span a log line is written in, named as the OpenTelemetry log data model
 * names them (what Grafana, Jaeger and Loki link on). With tracing off but a caller's
 * traceparent continued, these are the caller's ids: the line still leads to its trace.
 */
export function activeTraceIds(): TraceIds | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
