// The HTTP instrumentation wraps http.Server.prototype.emit, and even for a request it is told
// to ignore (a probe) it still enters a context and rebinds the request's and the response's
// listeners: about a quarter of a probe's CPU (docs/benchmarks.md). The kubelet polls every
// pod's probes every few seconds, and probes are never traced, so this server hands them past
// the wrapper, to the emit every EventEmitter has. Without tracing there is no wrapper, and
// nothing is changed.
import { EventEmitter } from "node:events";
import type { IncomingMessage, Server } from "node:http";
import { isProbePath } from "../http/probe-paths";

export function serveProbesUntraced(server: Server): void {
  /* eslint-disable @typescript-eslint/unbound-method -- taken to be called on the server */
  const instrumented = server.emit;
  const plain = EventEmitter.prototype.emit;
  /* eslint-enable @typescript-eslint/unbound-method */
  if (instrumented === plain) return;
  server.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]) {
    const probe = event === "request" && isProbePath((args[0] as IncomingMessage).url);
    return (probe ? plain : instrumented).call(this, event, ...args);
  } as Server["emit"];
}
