// Probes go past the HTTP instrumentation's wrapper of Server#emit; everything else through it.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { serveProbesUntraced } from "../../../src/telemetry/untraced-probes";

/* eslint-disable @typescript-eslint/unbound-method -- emit is compared and called on the server */

/** A server whose emit is wrapped the way the HTTP instrumentation wraps it. */
function instrumentedServer() {
  const server = createServer();
  const wrapped: string[] = [];
  const original = server.emit as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") wrapped.push((args[0] as IncomingMessage).url!);
    return original.call(this, event, ...args);
  } as Server["emit"];
  const answered: string[] = [];
  server.on("request", (req: IncomingMessage) => answered.push(req.url!));
  return { server, wrapped, answered };
}

const request = (url: string) => ({ url }) as IncomingMessage;

describe("serving probes untraced", () => {
  it("hands probe requests past the instrumentation to the listeners, and the rest through it", () => {
    const { server, wrapped, answered } = instrumentedServer();
    serveProbesUntraced(server);

    server.emit("request", request("/health/live"), {});
    server.emit("request", request("/health/ready?verbose"), {});
    server.emit("request", request("/orders/1"), {});
    server.emit("request", request("/healthz"), {});

    expect(answered).toEqual(["/health/live", "/health/ready?verbose", "/orders/1", "/healthz"]);
    expect(wrapped).toEqual(["/orders/1", "/healthz"]);
  });

  it("passes every other event through the instrumentation, with its arguments", () => {
    const { server } = instrumentedServer();
    serveProbesUntraced(server);
    const seen: unknown[] = [];
    server.on("checkContinue", (...args: unknown[]) => seen.push(args));
    expect(server.emit("checkContinue", request("/health/live"), "res")).toBe(true);
    expect(seen).toEqual([[{ url: "/health/live" }, "res"]]);
  });

  it("leaves a server without tracing as it is", () => {
    const server = createServer();
    const before = server.emit;
    serveProbesUntraced(server);
    expect(server.emit).toBe(before);
  });
});
