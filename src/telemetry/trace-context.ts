import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * W3C Trace Context (traceparent/tracestate) in and out, and a context that follows async
 * calls: what both modes need, with or without an exporter. Returns how to undo it (tests).
 */
export function registerTraceContext(): () => void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return () => {
    propagation.disable();
    context.disable();
  };
}
