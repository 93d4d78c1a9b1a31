import type { RequestHandler } from "express";
import type { Metrics } from "../infra/metrics";
import { isProbePath } from "./probe-paths";
import { routeTemplateOf } from "./route-template";

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
        route: routeTemplateOf(req) ?? "unmatched",
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
