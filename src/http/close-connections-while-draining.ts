import { ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import type { Lifecycle } from "../lifecycle/lifecycle";

const prototypeWriteHead = ServerResponse.prototype.writeHead as (...args: unknown[]) => unknown;

/**
 * From the shutdown signal on, every response (including those of requests that arrived
 * before it) says `Connection: close`, so keep-alive clients reconnect to another replica
 * instead of reusing a socket this process is about to close.
 */
export function closeConnectionsWhileDraining(lifecycle: Lifecycle): RequestHandler {
  // The header is decided when the response head is written, which may be after the signal.
  // One function shared by all responses: no closure or bound copy per request.
  function writeHead(this: ServerResponse, ...args: unknown[]) {
    if (lifecycle.isShuttingDown && !this.headersSent) this.setHeader("Connection", "close");
    return prototypeWriteHead.apply(this, args);
  }
  return (_req, res, next) => {
    // Mounted before anything else that wraps writeHead, so the prototype's is the one to call.
    if (res.writeHead !== prototypeWriteHead) {
      throw new Error("closeConnectionsWhileDraining must be mounted before writeHead is wrapped");
    }
    res.writeHead = writeHead as typeof res.writeHead;
    next();
  };
}
