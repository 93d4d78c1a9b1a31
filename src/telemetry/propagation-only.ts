// Tracing off (no exporter): no SDK, no instrumentation, no spans. The caller's trace still
// reaches the upstreams: continueIncomingTrace() (src/http/) puts an incoming traceparent in
// the active context, and every fetch made in that context carries it on. Node's fetch (its
// bundled undici) announces each request on a diagnostics channel before sending it.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { context, propagation, type TextMapSetter } from "@opentelemetry/api";
import { registerTraceContext } from "./trace-context";

const REQUEST_CREATED = "undici:request:create";

interface UndiciRequest {
  addHeader(name: string, value: string): unknown;
}

const onRequest: TextMapSetter<UndiciRequest> = {
  set: (request, name, value) => void request.addHeader(name, value),
};

function carryTraceContext(message: unknown): void {
  const { request } = message as { request: UndiciRequest };
  // Injects nothing unless a valid span context (the caller's) is active.
  propagation.inject(context.active(), request, onRequest);
}

/** Starts propagation-only mode; returns how to stop it (tests). */
export function startPropagationOnly(): () => void {
  const unregister = registerTraceContext();
  subscribe(REQUEST_CREATED, carryTraceContext);
  return () => {
    unsubscribe(REQUEST_CREATED, carryTraceContext);
    unregister();
  };
}
