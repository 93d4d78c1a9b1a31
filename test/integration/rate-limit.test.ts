// The shared rate limiter (src/limits/shared-rate-limiter.ts) against the real Redis: replicas
// (limiters with clients of their own on one key prefix) enforce one limit between them, the
// count is atomic, windows end, and Redis failing - refused, black-holed, or connected but
// silent - lets requests through (failing open) at the cost of at most one command timeout.
import type { Redis } from "ioredis";
import { createLogger } from "../../src/infra/logger";
import { noMetrics, type Metrics } from "../../src/infra/metrics";
import { closeRedis, createRedisClient } from "../../src/infra/redis";
import { createBatchedRateLimiter } from "../../src/limits/batched-rate-limiter";
import {
  createSharedRateLimiter,
  type RateLimitDecision,
  type SharedRateLimiterOptions,
} from "../../src/limits/shared-rate-limiter";
import { REDIS_URL, uniqueRedisPrefix } from "../support/backing-services";
import { LogCapture } from "../support/log-capture";
import { TcpProxy } from "../support/tcp-proxy";

const COMMAND_TIMEOUT_MS = 300;
const silent = createLogger({ level: "silent", stdout: false });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

const clients: Redis[] = [];
// Dropped, not QUIT: a stalled client would wait for an answer to QUIT that never comes.
afterAll(() => clients.forEach((client) => client.disconnect()));

/** A client as the service makes it; connected unless it cannot be. */
async function clientOf(keyPrefix: string, url = REDIS_URL): Promise<Redis> {
  const client = createRedisClient(
    { url, commandTimeoutMs: COMMAND_TIMEOUT_MS, keyPrefix },
    silent,
  );
  clients.push(client);
  await client.connect().catch(() => undefined);
  return client;
}

function limiterOn(redis: Redis, overrides: Partial<SharedRateLimiterOptions> = {}) {
  return createSharedRateLimiter({
    redis,
    requests: 10,
    windowS: 60,
    logger: silent,
    metrics: noMetrics,
    ...overrides,
  });
}

function countingMetrics() {
  const counts = new Map<string, number>();
  const metrics: Metrics = {
    ...noMetrics,
    increment: (name) => counts.set(name, (counts.get(name) ?? 0) + 1),
  };
  return { metrics, counts };
}

const allowedOf = (decisions: RateLimitDecision[]) =>
  decisions.filter((decision) => !decision.failedOpen && decision.allowed).length;
const refusedOf = (decisions: RateLimitDecision[]) =>
  decisions.filter((decision) => !decision.failedOpen && !decision.allowed).length;

/**
 * Makes Redis stop answering `client` while its socket stays connected, as across a network
 * partition: a blocking pop with no timeout holds the connection at the server, and every
 * command sent after it waits behind it, unanswered. Other connections (other tests) go on.
 */
function stallConnection(client: Redis): void {
  void client.blpop("never-pushed", 0).catch(() => undefined);
}

describe("the shared rate limiter, counting in Redis", () => {
  it("enforces one limit across two replicas: 6 + 6 requests against a limit of 10 allow exactly 10", async () => {
    const prefix = uniqueRedisPrefix();
    const [a, b] = [limiterOn(await clientOf(prefix)), limiterOn(await clientOf(prefix))];

    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < 6; i += 1) {
      decisions.push(await a.consume("sub:alice"), await b.consume("sub:alice"));
    }

    expect(allowedOf(decisions)).toBe(10);
    expect(refusedOf(decisions)).toBe(2);
    expect(decisions.map((decision) => !decision.failedOpen && decision.remaining)).toEqual([
      9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0,
    ]);
    for (const decision of decisions) {
      expect(decision).toMatchObject({ failedOpen: false, limit: 10 });
      if (!decision.failedOpen) expect(decision.resetS).toBeGreaterThanOrEqual(1);
      if (!decision.failedOpen) expect(decision.resetS).toBeLessThanOrEqual(60);
    }
    // Another caller has a quota of its own.
    expect(await a.consume("sub:bob")).toMatchObject({ allowed: true, remaining: 9 });
  });

  it("keeps its counters under the client's key prefix, expiring with the window", async () => {
    const prefix = uniqueRedisPrefix();
    const limiter = limiterOn(await clientOf(prefix), { keyPrefix: "rate-limit" });
    for (let i = 0; i < 3; i += 1) await limiter.consume("ip:10.0.0.7");

    const raw = await clientOf("");
    expect(await raw.get(`${prefix}rate-limit:ip:10.0.0.7`)).toBe("3");
    const ttlMs = await raw.pttl(`${prefix}rate-limit:ip:10.0.0.7`);
    expect(ttlMs).toBeGreaterThan(55_000);
    expect(ttlMs).toBeLessThanOrEqual(60_000);
  });

  it("never allows more than the limit to 50 requests made at once across both replicas", async () => {
    const prefix = uniqueRedisPrefix();
    const [a, b] = [limiterOn(await clientOf(prefix)), limiterOn(await clientOf(prefix))];

    const decisions = await Promise.all(
      times(50, (i) => (i % 2 === 0 ? a : b).consume("sub:carol")),
    );

    expect(allowedOf(decisions)).toBe(10);
    expect(refusedOf(decisions)).toBe(40);
  });

  it("starts a caller's count again when its window ends", async () => {
    const limiter = limiterOn(await clientOf(uniqueRedisPrefix()), { requests: 3, windowS: 1 });
    for (let i = 0; i < 3; i += 1) await limiter.consume("sub:dave");
    const over = await limiter.consume("sub:dave");
    expect(over).toMatchObject({
      failedOpen: false,
      allowed: false,
      limit: 3,
      remaining: 0,
      resetS: 1,
    });

    await pause(1100);

    expect(await limiter.consume("sub:dave")).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("refuses a caller that used its quota up from memory, without asking Redis again", async () => {
    const prefix = uniqueRedisPrefix();
    const client = await clientOf(prefix);
    const limiter = limiterOn(client, { requests: 2 });
    await limiter.consume("sub:erin");
    await limiter.consume("sub:erin");

    // Were Redis asked now, the closed client would fail and the limiter fail open.
    await closeRedis(client);
    const decisions = await Promise.all(times(5, () => limiter.consume("sub:erin")));

    expect(refusedOf(decisions)).toBe(5);
  });

  it("refuses, when built, a policy Redis would not keep: windows are whole seconds", async () => {
    const redis = await clientOf(uniqueRedisPrefix());
    // The library would floor 0.5 s to 0 and count in a key that never expires.
    expect(() => limiterOn(redis, { windowS: 0.5 })).toThrow(/windowS/);
    expect(() => limiterOn(redis, { requests: 0 })).toThrow(/requests/);
  });
});

describe("the batched rate limiter, counting in Redis through the shared one", () => {
  const QUOTA = 200; // a slack of 10 a replica

  async function replicasOn(prefix: string) {
    return Promise.all(
      times(2, async () =>
        createBatchedRateLimiter({
          shared: limiterOn(await clientOf(prefix), { requests: QUOTA }),
          syncIntervalMs: 100,
        }),
      ),
    );
  }

  it("lets a caller through at most its quota plus each replica's slack, however the requests come", async () => {
    const prefix = uniqueRedisPrefix();
    const [a, b] = await replicasOn(prefix);

    const decisions: RateLimitDecision[] = [];
    for (let round = 0; round < 30; round += 1) {
      decisions.push(
        ...(await Promise.all(times(20, (i) => (i % 2 === 0 ? a! : b!).consume("sub:alice")))),
      );
    }

    const through = allowedOf(decisions);
    expect(through).toBeGreaterThanOrEqual(QUOTA);
    expect(through).toBeLessThanOrEqual(QUOTA + 2 * 10);
    expect(refusedOf(decisions)).toBe(600 - through);
  });

  it("has Redis's count catch up with the requests it let through within the sync interval", async () => {
    const prefix = uniqueRedisPrefix();
    const [a, b] = await replicasOn(prefix);
    for (let i = 0; i < 15; i += 1) {
      await a!.consume("sub:bob");
      await b!.consume("sub:bob");
    }

    await pause(250);
    const raw = await clientOf("");
    expect(await raw.get(`${prefix}rate-limit:sub:bob`)).toBe("30");
    // A replica hears of the others' requests in the answer to its next batch.
    for (let i = 0; i < 5; i += 1) await a!.consume("sub:bob"); // a batch of 5 goes
    await pause(50);
    expect(await a!.consume("sub:bob")).toMatchObject({ allowed: true, remaining: QUOTA - 36 });
  });
});

describe("the shared rate limiter, failing open", () => {
  it("lets every request through while Redis is unreachable, logging one warning and counting each", async () => {
    const logs = new LogCapture();
    const logger = createLogger({ level: "info", stdout: false, destinations: [logs] });
    const { metrics, counts } = countingMetrics();
    let clock = 0;
    // Port 1 on loopback: nothing listens, every connection attempt is refused at once.
    const redis = await clientOf(uniqueRedisPrefix(), "redis://127.0.0.1:1/0");
    const limiter = limiterOn(redis, { logger, metrics, now: () => clock });

    const started = performance.now();
    const decisions = [
      ...(await Promise.all(times(50, () => limiter.consume("sub:frank")))),
      ...(await Promise.all(times(50, (i) => limiter.consume(`ip:10.0.0.${i}`)))),
    ];
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS);

    expect(decisions.every((decision) => decision.failedOpen)).toBe(true);
    expect(counts.get("rate_limit.failed_open")).toBe(100);
    const warnings = () => logs.entries.filter((entry) => entry.level === "warn");
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({
      msg: "rate limiter cannot reach Redis: requests go on unlimited",
      err: { message: expect.any(String) },
      failedOpenRequests: 1,
    });

    // A minute later Redis is still down: one more line, saying how many went through since.
    clock += 60_000;
    await limiter.consume("sub:frank");
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatchObject({ failedOpenRequests: 100 });
    expect(counts.get("rate_limit.failed_open")).toBe(101);
  });

  it("fails open on a black-holed link within about one command timeout, then counts again once it is back", async () => {
    const proxy = await TcpProxy.start("127.0.0.1", 6379);
    try {
      const redis = await clientOf(uniqueRedisPrefix(), `redis://127.0.0.1:${proxy.port}/0`);
      const limiter = limiterOn(redis, { redisPauseMs: 200 });
      expect(await limiter.consume("sub:grace")).toMatchObject({ allowed: true, remaining: 9 });

      proxy.cut("blackhole");
      const started = performance.now();
      // Requests in flight at the cut wait out one command timeout together; those after them
      // go on at once.
      const decisions = await Promise.all(times(20, () => limiter.consume("sub:grace")));
      for (let i = 0; i < 20; i += 1) decisions.push(await limiter.consume("sub:grace"));
      const elapsedMs = performance.now() - started;

      expect(decisions.every((decision) => decision.failedOpen)).toBe(true);
      expect(elapsedMs).toBeLessThan(COMMAND_TIMEOUT_MS * 2);

      proxy.restore();
      while (redis.status !== "ready") await pause(20);
      await pause(250);
      // Counted again. (Commands cut off in flight may have been counted too: their answers
      // were lost, not necessarily their work.)
      expect(await limiter.consume("sub:grace")).toMatchObject({
        failedOpen: false,
        allowed: true,
      });
    } finally {
      await proxy.close();
    }
  });

  it("pays the command timeout once, not once per request, when Redis stops answering a connected socket", async () => {
    const redis = await clientOf(uniqueRedisPrefix());
    const limiter = limiterOn(redis);
    await limiter.consume("sub:heidi");

    stallConnection(redis);
    const started = performance.now();
    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < 20; i += 1) decisions.push(await limiter.consume("sub:heidi"));
    const elapsedMs = performance.now() - started;

    expect(decisions.every((decision) => decision.failedOpen)).toBe(true);
    // The first request waited for its command to time out (the stall is real); the other 19
    // did not ask Redis, where they would have waited as long again, one after another.
    expect(elapsedMs).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS * 0.9);
    expect(elapsedMs).toBeLessThan(COMMAND_TIMEOUT_MS * 2);
  });

  it("after the pause, lets one request alone probe a silent Redis while the others go on at once", async () => {
    let clock = 0;
    const redis = await clientOf(uniqueRedisPrefix());
    const limiter = limiterOn(redis, { now: () => clock, redisPauseMs: 1000 });
    stallConnection(redis);
    expect(await limiter.consume("sub:ivan")).toEqual({ failedOpen: true });

    clock += 1000;
    const started = performance.now();
    const finishedAfterMs = await Promise.all(
      times(10, async () => {
        expect(await limiter.consume("sub:ivan")).toEqual({ failedOpen: true });
        return performance.now() - started;
      }),
    );

    const waited = finishedAfterMs.filter((ms) => ms >= COMMAND_TIMEOUT_MS * 0.9);
    const atOnce = finishedAfterMs.filter((ms) => ms < COMMAND_TIMEOUT_MS / 2);
    expect([waited.length, atOnce.length]).toEqual([1, 9]);
  });
});
