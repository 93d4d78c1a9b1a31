// Sends requests on a fixed schedule (open loop): request n leaves at n / rate seconds whether
// or not earlier ones were answered, so a stalled service shows as latency and timeouts instead
// of quietly slowing the load down (a closed loop would hide exactly the drops a rollout
// check looks for). Connections are kept alive, as a real client's are, so a replica that shuts
// down must close them cleanly for the run to stay error-free.
import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { Outcome } from "./load-report";
import type { OrderTraffic } from "./order-traffic";

export interface OpenLoopOptions {
  readonly url: URL;
  readonly requests: number;
  readonly rate: number;
  readonly timeoutMs: number;
  /** `Authorization` per customer index; empty: no header. */
  readonly authorizations: readonly string[];
  readonly traffic: OrderTraffic;
  /** Aborted: no further request is sent; those in flight are still awaited. */
  readonly stop: AbortSignal;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<Outcome[]> {
  const client = options.url.protocol === "https:" ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  const started = performance.now();
  const inFlight: Promise<Outcome>[] = [];
  try {
    for (let n = 0; n < options.requests && !options.stop.aborted; n += 1) {
      const due = started + (n * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: options.stop }).catch(() => undefined);
      if (options.stop.aborted) break;
      inFlight.push(send(client, agent, options, n));
    }
    return await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
}

function send(
  client: typeof http | typeof https,
  agent: http.Agent,
  options: OpenLoopOptions,
  n: number,
): Promise<Outcome> {
  const planned = options.traffic.request(n);
  const authorization = options.authorizations[planned.customerIndex];
  const target = new URL(planned.path.replace(/^\//, ""), withTrailingSlash(options.url));
  const sentAt = performance.now();
  return new Promise<Outcome>((resolve) => {
    const request = client.request(
      target,
      {
        method: planned.method,
        agent,
        headers: { ...planned.headers, ...(authorization ? { authorization } : {}) },
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("error", (error: NodeJS.ErrnoException) => resolve({ error: reason(error) }));
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          if (planned.method === "POST" && (status === 201 || status === 202)) {
            const id = orderId(body);
            if (id) options.traffic.created(planned.customerIndex, id);
          }
          resolve({ status, latencyMs: performance.now() - sentAt });
        });
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: reason(error) }));
    request.end(planned.body);
  });
}

/** A base URL with a path (https://host/api) keeps it: /orders becomes /api/orders. */
const withTrailingSlash = (url: URL) => new URL(url.href.endsWith("/") ? url.href : `${url.href}/`);

const reason = (error: NodeJS.ErrnoException): string =>
  error.name === "TimeoutError" || error.name === "AbortError"
    ? "timeout"
    : (error.code ?? error.message);

function orderId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
