// The rate-limit middleware (src/http/rate-limit.ts) as a client sees it: the IETF RateLimit
// fields on every answer, and a caller over its quota refused with a 429 problem+json that
// carries Retry-After. The limiter is a stub that answers what each test scripts; counting in
// Redis and failing open are test/integration/rate-limit.test.ts's subject.
import express, { type RequestHandler } from "express";
import request from "supertest";
import { noMetrics, type Metrics, type Tags } from "../../src/infra/metrics";
import { limitRequests, type LimitRequestsOptions } from "../../src/http/rate-limit";
import { problemResponder } from "../../src/http/problem-responder";
import type { RateLimitDecision, SharedRateLimiter } from "../../src/limits/shared-rate-limiter";

/** A limiter of 600 requests a minute whose next answer the test sets; it keeps every key. */
function stubLimiter(decision: RateLimitDecision) {
  const limiter = {
    requests: 600,
    windowS: 60,
    decision,
    keys: [] as string[],
    consume: (key: string) => {
      limiter.keys.push(key);
      return Promise.resolve(limiter.decision);
    },
  };
  return limiter satisfies SharedRateLimiter;
}

const allowed = (remaining: number, resetS: number): RateLimitDecision => ({
  failedOpen: false,
  allowed: true,
  limit: 600,
  remaining,
  resetS,
  resetMs: resetS * 1000,
});
const refused = (resetS: number): RateLimitDecision => ({
  failedOpen: false,
  allowed: false,
  limit: 600,
  remaining: 0,
  resetS,
  resetMs: resetS * 1000,
});

function recordingMetrics() {
  const increments: { name: string; tags?: Tags }[] = [];
  const metrics: Metrics = {
    ...noMetrics,
    increment: (name, tags) => increments.push({ name, ...(tags ? { tags } : {}) }),
  };
  return { metrics, increments };
}

/** Mounted as src/app.ts mounts it: on `/orders`, after the caller is identified. */
function appLimitedBy(
  limiter: SharedRateLimiter,
  overrides: Partial<LimitRequestsOptions> = {},
  metrics: Metrics = noMetrics,
) {
  const handled: string[] = [];
  const identify: RequestHandler = (req, res, next) => {
    res.locals.caller = req.get("x-test-caller");
    next();
  };
  const app = express();
  app.use(
    "/orders",
    identify,
    limitRequests({
      limiter,
      keyOf: (req, res) => (res.locals.caller ? `sub:${res.locals.caller}` : `ip:${req.ip}`),
      policyName: "per-caller",
      metrics,
      ...overrides,
    }),
  );
  app.get("/orders/:id", (req, res) => {
    handled.push(req.params.id);
    res.json({ id: req.params.id });
  });
  app.use(problemResponder());
  return { app, handled };
}

describe("the rate-limit middleware", () => {
  it("lets a caller under its quota through, announcing the policy and what is left of it", async () => {
    const limiter = stubLimiter(allowed(599, 60));
    const { app, handled } = appLimitedBy(limiter);

    const response = await request(app).get("/orders/o-1").expect(200);

    expect(handled).toEqual(["o-1"]);
    expect(response.headers["ratelimit-policy"]).toBe('"per-caller";q=600;w=60');
    expect(response.headers["ratelimit"]).toBe('"per-caller";r=599;t=60');
    expect(response.headers).not.toHaveProperty("retry-after");
  });

  it("counts each request against the key keyOf gives for it (caller, else address)", async () => {
    const limiter = stubLimiter(allowed(10, 5));
    const { app } = appLimitedBy(limiter);

    await request(app).get("/orders/o-1").set("x-test-caller", "alice").expect(200);
    await request(app).get("/orders/o-2").expect(200);

    expect(limiter.keys).toEqual(["sub:alice", expect.stringMatching(/^ip:.*127\.0\.0\.1$/)]);
  });

  it("refuses a caller over its quota with a 429 problem+json, Retry-After and both fields", async () => {
    const limiter = stubLimiter(refused(17));
    const { metrics, increments } = recordingMetrics();
    const { app, handled } = appLimitedBy(limiter, {}, metrics);

    const response = await request(app).get("/orders/o-1").expect(429);

    expect(handled).toEqual([]);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: "https://problems.order-service.dev/rate-limited",
      title: "Too Many Requests",
      status: 429,
      detail: "Too many requests: the limit is 600 per 60 s; retry in 17 s",
      "violated-policies": ["per-caller"],
    });
    expect(response.headers["retry-after"]).toBe("17");
    expect(response.headers["ratelimit-policy"]).toBe('"per-caller";q=600;w=60');
    expect(response.headers["ratelimit"]).toBe('"per-caller";r=0;t=17');
    expect(increments).toEqual([{ name: "rate_limit.limited", tags: { route: "/orders" } }]);
  });

  it("tags refusals with the route it is given, or with the route template it runs in", async () => {
    const { metrics, increments } = recordingMetrics();
    const given = appLimitedBy(stubLimiter(refused(1)), { route: "orders" }, metrics);
    await request(given.app).get("/orders/o-1").expect(429);

    const inRoute = express();
    const router = express.Router();
    const limiter = limitRequests({
      limiter: stubLimiter(refused(1)),
      keyOf: () => "k",
      policyName: "per-caller",
      metrics,
    });
    router.get("/:id", limiter, (_req, res) => res.end());
    inRoute.use("/orders", router);
    inRoute.use(problemResponder());
    await request(inRoute).get("/orders/o-1").expect(429);

    expect(increments.map((increment) => increment.tags)).toEqual([
      { route: "orders" },
      { route: "/orders/{id}" },
    ]);
  });

  it("tags refusals 'unmatched' when it runs before any route or mount path", async () => {
    const { metrics, increments } = recordingMetrics();
    const app = express();
    app.use(
      limitRequests({
        limiter: stubLimiter(refused(1)),
        keyOf: () => "k",
        policyName: "per-caller",
        metrics,
      }),
    );
    app.use(problemResponder());
    await request(app).get("/anything").expect(429);
    expect(increments).toEqual([{ name: "rate_limit.limited", tags: { route: "unmatched" } }]);
  });

  it("lets the request through when the limiter failed open, with the policy but no RateLimit", async () => {
    const { metrics, increments } = recordingMetrics();
    const { app, handled } = appLimitedBy(stubLimiter({ failedOpen: true }), {}, metrics);

    const response = await request(app).get("/orders/o-1").expect(200);

    expect(handled).toEqual(["o-1"]);
    expect(response.headers["ratelimit-policy"]).toBe('"per-caller";q=600;w=60');
    expect(response.headers).not.toHaveProperty("ratelimit");
    expect(response.headers).not.toHaveProperty("retry-after");
    expect(increments).toEqual([]);
  });

  it("writes the policy name as a Structured Field String, escaping quotes and backslashes", async () => {
    const { app } = appLimitedBy(stubLimiter(allowed(1, 2)), { policyName: 'a "b" \\c' });

    const response = await request(app).get("/orders/o-1").expect(200);

    expect(response.headers["ratelimit-policy"]).toBe('"a \\"b\\" \\\\c";q=600;w=60');
    expect(response.headers["ratelimit"]).toBe('"a \\"b\\" \\\\c";r=1;t=2');
  });

  it("refuses, when built, a policy name a Structured Field String cannot hold", () => {
    expect(() =>
      limitRequests({
        limiter: stubLimiter(allowed(1, 1)),
        keyOf: () => "k",
        policyName: "per-caller\u00e9",
        metrics: noMetrics,
      }),
    ).toThrow(/printable ASCII/);
  });
});
