// The rate limit as callers meet it: per caller across replicas, per address for requests
// without a valid token (X-Forwarded-For believed only from TRUSTED_PROXIES), IETF headers on
// every /orders answer, never on probes, and no limit at all (never an error) while Redis is down.
import request from "supertest";
import { uniqueRedisPrefix } from "../support/backing-services";
import { TcpProxy } from "../support/tcp-proxy";
import { startTestStack, type TestStack } from "../support/test-stack";

const POLICY = '"per-caller";q=5;w=60';

/** GET /orders as the customer; resolves with the answer, whatever its status. */
async function listAs(stack: TestStack, customerId: string) {
  return request(stack.app)
    .get("/orders")
    .set(await stack.as(customerId));
}

describe("rate limits", () => {
  let stack: TestStack;
  let replica: TestStack;
  beforeAll(async () => {
    // One Redis prefix for both: that is what "shared by all replicas" means.
    const env = { RATE_LIMIT_REQUESTS: "5", RATE_LIMIT_WINDOW_S: "60" };
    const shared = { ...env, REDIS_KEY_PREFIX: uniqueRedisPrefix() };
    stack = await startTestStack(shared);
    replica = await startTestStack(shared, stack);
  });
  afterAll(async () => {
    await replica.close();
    await stack.close();
  });

  it("sends RateLimit-Policy and RateLimit on every /orders answer under the limit", async () => {
    const response = await listAs(stack, "rl-headers");
    expect(response.status).toBe(200);
    expect(response.headers["ratelimit-policy"]).toBe(POLICY);
    expect(response.headers["ratelimit"]).toMatch(/^"per-caller";r=4;t=\d+$/);
  });

  it("answers 429 problem+json with Retry-After once a caller's requests, on any replica, pass the limit", async () => {
    const answers: number[] = [];
    for (const app of [stack, replica, stack, replica, stack, replica, stack]) {
      answers.push((await listAs(app, "rl-busy")).status);
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await listAs(replica, "rl-busy");
    expect(refused.status).toBe(429);
    expect(refused.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(refused.headers["ratelimit"]).toMatch(/^"per-caller";r=0;t=\d+$/);
    expect(refused.body).toMatchObject({
      status: 429,
      type: "https://problems.order-service.dev/rate-limited",
    });
  });

  it("keeps each caller's quota its own", async () => {
    for (let i = 0; i < 6; i += 1) await listAs(stack, "rl-noisy");
    expect((await listAs(stack, "rl-quiet")).status).toBe(200);
  });

  it("never limits the probes", async () => {
    for (let i = 0; i < 10; i += 1) await listAs(stack, "rl-probing");
    const ready = await request(stack.app).get("/health/ready").expect(200);
    expect(ready.headers["ratelimit-policy"]).toBeUndefined();
    await request(stack.app).get("/health/live").expect(200);
  });

  it("counts requests without a valid token by client address, and limits them too", async () => {
    const answers: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      answers.push(
        (await request(replica.app).get("/orders").set("X-Forwarded-For", `203.0.113.${i}`)).status,
      );
    }
    // X-Forwarded-For is not believed (TRUSTED_PROXIES is unset): one address, one quota.
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe("rate limits behind a trusted proxy", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      RATE_LIMIT_REQUESTS: "2",
      // supertest connects from loopback: here it plays the proxy.
      TRUSTED_PROXIES: "loopback",
    });
  });
  afterAll(() => stack.close());

  const anonymous = (forwardedFor: string) =>
    request(stack.app).get("/orders").set("X-Forwarded-For", forwardedFor);

  it("counts each client address the proxy names on its own", async () => {
    const first = [await anonymous("198.51.100.1"), await anonymous("198.51.100.1")];
    expect(first.map((answer) => answer.status)).toEqual([401, 401]);
    expect((await anonymous("198.51.100.1")).status).toBe(429);
    expect((await anonymous("198.51.100.2")).status).toBe(401);
  });

  it("takes the address the trusted proxy saw, not one the client wrote in front of it", async () => {
    // The client sent "X-Forwarded-For: 192.0.2.77"; the proxy appended the real address.
    for (let i = 0; i < 2; i += 1) await anonymous("192.0.2.77, 198.51.100.9");
    expect((await anonymous("192.0.2.88, 198.51.100.9")).status).toBe(429);
  });
});

describe("rate limits while Redis is unreachable", () => {
  let stack: TestStack;
  let redisLink: TcpProxy;
  beforeAll(async () => {
    redisLink = await TcpProxy.start("127.0.0.1", 6379);
    stack = await startTestStack({
      REDIS_URL: `redis://127.0.0.1:${redisLink.port}/0`,
      RATE_LIMIT_REQUESTS: "3",
    });
  });
  afterAll(async () => {
    await stack.close();
    await redisLink.close();
  });

  it("lets every request through, uncounted and without errors, and warns once", async () => {
    redisLink.cut("refuse");
    const started = performance.now();
    const answers: number[] = [];
    for (let i = 0; i < 10; i += 1) answers.push((await listAs(stack, "rl-redis-down")).status);
    expect(answers).toEqual(Array(10).fill(200));
    // Nothing waited for Redis: ten requests in far less than one command timeout each.
    expect(performance.now() - started).toBeLessThan(10 * stack.config.redis.commandTimeoutMs);
    const warnings = stack.logs.entries.filter((line) =>
      String(line.msg).startsWith("rate limiter cannot reach Redis"),
    );
    expect(warnings).toHaveLength(1);
    redisLink.restore();
  });
});
