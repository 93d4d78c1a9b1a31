import { context, propagation, trace } from "@opentelemetry/api";
import type { RequestHandler } from "express";

/**
 * Puts the caller's trace (its `traceparent`) in the active context when nothing else did, so
 * the upstream calls made for this request carry it on. With tracing on, the HTTP
 * instrumentation has already done this (and started our server span under it): no-op then.
 */
export function continueIncomingTrace(): RequestHandler {
  return (req, res, next) => {
    if (req.headers.traceparent === undefined || trace.getSpan(context.active())) {
      next();
      return;
    }
    const incoming = propagation.extract(context.active(), req.headers);
    // The response's listeners (the completion log line) run in the same context.
    context.bind(incoming, res);
    context.with(incoming, next);
  };
}
