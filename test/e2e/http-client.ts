// A small HTTP client over node:http for the e2e tests: unlike fetch it shows hop-by-hop
// headers (Connection) and lets a test choose its connection (fresh or a keep-alive agent).
import http from "node:http";
import net from "node:net";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: Record<string, unknown> & { checks?: Record<string, Record<string, unknown>> };
  /** Milliseconds from sending the request to the end of the answer. */
  readonly durationMs: number;
}

export interface HttpOptions {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** A keep-alive agent to reuse connections; default: a fresh connection per request. */
  readonly agent?: http.Agent;
}

export function request(
  port: number,
  path: string,
  options: HttpOptions = {},
): Promise<HttpAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        agent: options.agent ?? false,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("error", reject);
        res.on("end", () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
            durationMs: performance.now() - started,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves "connected", or the error code of a failed TCP connect (e.g. "ECONNREFUSED"). */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The customer the e2e tests order as (the `sub` of the token they send). */
export const E2E_CUSTOMER = "customer-e2e";

export const anOrder = (productId = "sku-mug") => ({
  customerId: E2E_CUSTOMER,
  items: [{ productId, quantity: 2 }],
  paymentToken: "tok_e2e_visa",
});
