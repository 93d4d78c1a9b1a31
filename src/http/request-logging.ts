import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "../infra/logger";

/** Probes are polled every few seconds by every kubelet: logging them would drown real traffic. */
export function isProbePath(url: string | undefined): boolean {
  // Compare the path only: a query string must not turn a probe into a logged request.
  const pathname = (url ?? "").split("?", 1)[0]!;
  return pathname.startsWith("/health/");
}

export function logRequests(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req) => (req as IncomingMessage & { id: string }).id,
    autoLogging: { ignore: (req) => isProbePath(req.url) },
    // Only what we chose: no headers (cookies, authorization), no bodies.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      return "info";
    },
  });
}
