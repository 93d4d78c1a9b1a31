import type { ServerResponse } from "node:http";
import type { Express } from "express";
import type { Lifecycle } from "../lifecycle/lifecycle";

/**
 * From the shutdown signal on, every response (including those of requests that arrived
 * before it) says `Connection: close`, so keep-alive clients reconnect to another replica
 * instead of reusing a socket this process is about to close.
 *
 * The header is decided when the response head is written, which may be after the signal.
 * The hook goes once onto `app.response`, the prototype Express gives every response of this
 * app, rather than onto each response in a middleware: it then costs nothing per request.
 */
export function closeConnectionsWhileDraining(app: Express, lifecycle: Lifecycle): void {
  // Only ever called through .apply() with a response as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const writeHead = app.response.writeHead as (...args: unknown[]) => ServerResponse;
  app.response.writeHead = function writeHeadClosingWhileDraining(
    this: ServerResponse,
    ...args: unknown[]
  ) {
    if (lifecycle.isShuttingDown && !this.headersSent) this.setHeader("Connection", "close");
    return writeHead.apply(this, args);
  } as typeof app.response.writeHead;
}
