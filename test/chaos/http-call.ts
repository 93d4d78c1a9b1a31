// One HTTP call with a client-side timeout, as a chaos client makes it: never rejects, so a
// caller under fault injection handles "answered", "connection failed" and "timed out" alike.
import http from "node:http";

export type CallOutcome =
  | {
      readonly kind: "answer";
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      /** The body parsed as JSON, or undefined when it is not JSON. */
      readonly json: unknown;
      readonly text: string;
    }
  /** No answer: `code` is the socket error code (ECONNREFUSED, ECONNRESET, ...) or "timeout". */
  | { readonly kind: "failure"; readonly code: string };

export interface CallOptions {
  readonly method?: "GET" | "POST";
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
}

export function call(port: number, path: string, options: CallOptions): Promise<CallOutcome> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: CallOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        // A fresh connection per call: a killed replica never leaves a stale socket behind.
        agent: false,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("error", (error: NodeJS.ErrnoException) =>
          finish({ kind: "failure", code: error.code ?? "EBODY" }),
        );
        res.on("end", () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          finish({ kind: "answer", status: res.statusCode ?? 0, headers: res.headers, json, text });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: "failure", code: "timeout" });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({ kind: "failure", code: error.code ?? error.message }),
    );
    req.end(body);
  });
}
