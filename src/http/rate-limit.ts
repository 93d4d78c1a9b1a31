// Per-caller rate limiting at the HTTP edge. Every answer carries the caller's quota in the
// IETF fields of draft-ietf-httpapi-ratelimit-headers-11 (May 2026), both Structured Field
// Lists whose items are a policy name (an sf-string) with parameters:
//   RateLimit-Policy: "<name>";q=<quota>;w=<window s>     (section 3.1)
//   RateLimit: "<name>";r=<remaining>;t=<s until reset>   (section 4.1)
// A caller over the limit gets a 429 problem+json with Retry-After. When Redis cannot count
// (the limiter failed open) only RateLimit-Policy is sent: the remaining quota is unknown,
// and the draft lets a server leave RateLimit out (section 6.2).
import type { Request, RequestHandler, Response } from "express";
import type { Metrics } from "../infra/metrics";
import type { SharedRateLimiter } from "../limits/shared-rate-limiter";
import { HttpProblem } from "./problem";
import { routeTemplateOf } from "./route-template";

export interface LimitRequestsOptions {
  readonly limiter: SharedRateLimiter;
  /** Whose quota a request uses (`sub:<customer id>`, `ip:<address>`). */
  readonly keyOf: (req: Request, res: Response) => string;
  /** Names the policy in both fields and in the 429's `violated-policies`. */
  readonly policyName: string;
  readonly metrics: Metrics;
  /**
   * The `route` tag of `rate_limit.limited`. By default the matched route template, or the
   * mount path (`app.use("/orders", ...)`); give it when the mount path holds parameters.
   */
  readonly route?: string;
}

// RFC 9651 section 3.3.3: an sf-string is printable ASCII, with `"` and `\` escaped.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function structuredString(value: string): string {
  if (!PRINTABLE_ASCII.test(value)) {
    throw new Error(`A rate limit policy name must be printable ASCII: ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** Before routing, the mount point (`/orders`) is all there is of a template. */
function routeOf(req: Request): string {
  return routeTemplateOf(req) ?? (req.baseUrl || "unmatched");
}

export function limitRequests(options: LimitRequestsOptions): RequestHandler {
  const { limiter, keyOf, metrics } = options;
  const name = structuredString(options.policyName);
  const policy = `${name};q=${limiter.requests};w=${limiter.windowS}`;
  return async (req, res, next) => {
    const decision = await limiter.consume(keyOf(req, res));
    // Set on `res` so that they stay on whatever answer follows, the 429 included: the
    // problem responder adds its own headers to these, it does not replace them.
    res.set("RateLimit-Policy", policy);
    if (decision.failedOpen) {
      next();
      return;
    }
    res.set("RateLimit", `${name};r=${decision.remaining};t=${decision.resetS}`);
    if (decision.allowed) {
      next();
      return;
    }
    metrics.increment("rate_limit.limited", { route: options.route ?? routeOf(req) });
    // Retry-After equals `t`: the draft (section 6) wants it no earlier than the window's end.
    throw new HttpProblem(
      429,
      `Too many requests: the limit is ${decision.limit} per ${limiter.windowS} s; ` +
        `retry in ${decision.resetS} s`,
      "rate-limited",
      // The member the draft's "quota-exceeded" problem type defines (section 5.1).
      { "violated-policies": [options.policyName] },
      { "Retry-After": String(decision.resetS) },
    );
  };
}
