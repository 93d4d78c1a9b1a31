import type { RequestHandler } from "express";
import type { Lifecycle } from "../lifecycle/lifecycle";

/**
 * From the shutdown signal on, every response (including those of requests that arrived
 * before it) says `Connection: close`, so keep-alive clients reconnect to another replica
 * instead of reusing a socket this process is about to close.
 */
export function closeConnectionsWhileDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    // The header is decided when the response head is written, which may be after the signal.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      if (lifecycle.isShuttingDown && !res.headersSent) res.setHeader("Connection", "close");
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  };
}
