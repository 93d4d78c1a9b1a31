import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "../infra/logger";
import { isProbePath } from "./probe-paths";

export function logRequests(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req) => (req as IncomingMessage & { id: string }).id,
    autoLogging: { ignore: (req) => isProbePath(req.url) },
    // Only what we chose: no headers (cookies, authorization), no bodies. Our serializers read
    // the raw objects: wrapped, pino's standard ones would first copy every header (and the
    // peer address) on each request, only for these to throw the copy away.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string }) => ({
        method: req.method,
        url: req.originalUrl ?? req.url,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      return "info";
    },
  });
}
