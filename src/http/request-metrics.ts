import type { Request, RequestHandler } from "express";
import type { Metrics } from "../infra/metrics";
import { isProbePath } from "./request-logging";

/**
 * The route template, never the raw URL: ids would explode the label set. Written `{id}`
 * rather than Express's `:id`, because a colon separates a StatsD tag from its value.
 */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== "string") return "unmatched";
  return (req.baseUrl + path).replace(/:(\w+)/g, "{$1}");
}

/** RED metrics per route: request count by status class, 5xx count, latency. */
export function recordRequestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    if (isProbePath(req.url)) {
      next();
      return;
    }
    const started = performance.now();
    res.once("finish", () => {
      const tags = {
        route: routeOf(req),
        method: req.method,
        status_class: `${Math.floor(res.statusCode / 100)}xx`,
      };
      metrics.increment("http.requests", tags);
      metrics.timing("http.request_duration", performance.now() - started, tags);
      if (res.statusCode >= 500) metrics.increment("http.errors", { route: tags.route });
    });
    next();
  };
}
