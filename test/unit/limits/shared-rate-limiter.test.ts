// The shared limiter's own decisions - what it answers, when it leaves Redis alone, which one
// request probes Redis again, what it logs and counts - on a clock the test moves and a Redis
// stand-in whose every answer the test scripts (rate-limiter-flexible talks to it through the
// `rlflxIncr` command it defines on ioredis clients). Counting in the real Redis is
// test/integration/rate-limit.test.ts's subject.
import type { Redis } from "ioredis";
import { createLogger } from "../../../src/infra/logger";
import { noMetrics, type Metrics } from "../../../src/infra/metrics";
import {
  createSharedRateLimiter,
  type SharedRateLimiterOptions,
} from "../../../src/limits/shared-rate-limiter";
import { LogCapture } from "../../support/log-capture";

interface HeldCommand {
  answer(): void;
  fail(): void;
}

/** Counts per key like Redis would; "down" fails every command, "held" keeps each waiting. */
function scriptedRedis() {
  const counts = new Map<string, number>();
  const fake = {
    counts,
    mode: "up" as "up" | "down" | "held",
    /** What Redis says is left of the window, in ms. */
    ttlMs: 30_000,
    /** The keys of every command that reached Redis. */
    asked: [] as string[],
    held: [] as HeldCommand[],
    client: {
      defineCommand: () => undefined,
      rlflxIncr: ([key, points]: string[]) => {
        fake.asked.push(key!);
        const count = () => {
          const consumed = (counts.get(key!) ?? 0) + Number(points);
          counts.set(key!, consumed);
          return [consumed, fake.ttlMs];
        };
        if (fake.mode === "down") return Promise.reject(new Error("Connection is closed."));
        if (fake.mode === "up") return Promise.resolve(count());
        return new Promise((resolve, reject) => {
          fake.held.push({
            answer: () => resolve(count()),
            fail: () => reject(new Error("Command timed out")),
          });
        });
      },
    } as unknown as Redis,
  };
  return fake;
}

function limiterOn(
  redis: ReturnType<typeof scriptedRedis>,
  overrides: Partial<SharedRateLimiterOptions> = {},
) {
  const clock = { now: 1_000_000 };
  const logs = new LogCapture();
  const failedOpen: string[] = [];
  const metrics: Metrics = { ...noMetrics, increment: (name) => failedOpen.push(name) };
  const limiter = createSharedRateLimiter({
    redis: redis.client,
    requests: 3,
    windowS: 60,
    logger: createLogger({ level: "info", stdout: false, destinations: [logs] }),
    metrics,
    redisPauseMs: 1000,
    now: () => clock.now,
    ...overrides,
  });
  const warnings = () => logs.entries.filter((entry) => entry.level === "warn");
  return { limiter, clock, warnings, failedOpen };
}

const FAILED_OPEN = { failedOpen: true };
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the shared rate limiter's decisions", () => {
  it("counts each caller under rate-limit:<key>, answering the quota left and the seconds to its end", async () => {
    const redis = scriptedRedis();
    const { limiter } = limiterOn(redis);
    expect(await limiter.consume("sub:alice")).toEqual({
      failedOpen: false,
      allowed: true,
      limit: 3,
      remaining: 2,
      resetS: 30,
      resetMs: 30_000,
    });
    expect(redis.asked).toEqual(["rate-limit:sub:alice"]);
    expect([limiter.requests, limiter.windowS]).toEqual([3, 60]);
  });

  it("counts under the key prefix it is given", async () => {
    const redis = scriptedRedis();
    const { limiter } = limiterOn(redis, { keyPrefix: "limits" });
    await limiter.consume("ip:10.0.0.1");
    expect(redis.asked).toEqual(["limits:ip:10.0.0.1"]);
  });

  it("counts as many requests at once as it is given", async () => {
    const redis = scriptedRedis();
    const { limiter } = limiterOn(redis, { requests: 10 });
    expect(await limiter.consume("sub:alice", 4)).toMatchObject({ allowed: true, remaining: 6 });
    expect(await limiter.consume("sub:alice", 7)).toMatchObject({ allowed: false, remaining: 0 });
    expect(redis.counts.get("rate-limit:sub:alice")).toBe(11);
  });

  it.each([
    [30_000, 30],
    [1001, 2],
    [1000, 1],
    [999, 1],
    [0, 1],
  ])(
    "rounds %i ms left in the window up to %i whole seconds, at least 1",
    async (ttlMs, resetS) => {
      const redis = scriptedRedis();
      redis.ttlMs = ttlMs;
      const { limiter } = limiterOn(redis);
      expect(await limiter.consume("sub:bob")).toMatchObject({ resetS, resetMs: ttlMs });
    },
  );

  it("answers no negative milliseconds left, whatever Redis says of a key's time to live", async () => {
    const redis = scriptedRedis();
    redis.ttlMs = -1;
    const { limiter } = limiterOn(redis);
    expect(await limiter.consume("sub:bob")).toMatchObject({ resetMs: 0 });
  });

  it("refuses the request over the limit", async () => {
    const redis = scriptedRedis();
    const { limiter } = limiterOn(redis, { requests: 1 });
    expect(await limiter.consume("sub:carol")).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume("sub:carol")).toEqual({
      failedOpen: false,
      allowed: false,
      limit: 1,
      remaining: 0,
      resetS: 30,
      // From memory: what is left of the window the library blocked the caller for.
      resetMs: expect.closeTo(30_000, -2),
    });
  });

  it.each([
    [{ requests: 0 }, "requests must be a positive integer, not 0"],
    [{ requests: -1 }, "requests must be a positive integer, not -1"],
    [{ requests: 2.5 }, "requests must be a positive integer, not 2.5"],
    [{ windowS: 0 }, "windowS must be a positive integer of seconds, not 0"],
    [{ windowS: 0.5 }, "windowS must be a positive integer of seconds, not 0.5"],
    [{ windowS: 1.5 }, "windowS must be a positive integer of seconds, not 1.5"],
  ])("will not be built with %j", (policy, message) => {
    expect(() => limiterOn(scriptedRedis(), policy)).toThrow(new Error(message));
  });

  it("is built with the smallest policy there is: 1 request per 1 s", () => {
    expect(limiterOn(scriptedRedis(), { requests: 1, windowS: 1 }).limiter).toMatchObject({
      requests: 1,
      windowS: 1,
    });
  });

  describe("when Redis fails", () => {
    it("lets the request through and leaves Redis alone for the pause", async () => {
      const redis = scriptedRedis();
      const { limiter, clock, failedOpen } = limiterOn(redis);
      redis.mode = "down";
      expect(await limiter.consume("sub:dave")).toEqual(FAILED_OPEN);
      redis.mode = "up";
      clock.now += 999;
      expect(await limiter.consume("sub:dave")).toEqual(FAILED_OPEN);
      expect(redis.asked).toHaveLength(1);
      clock.now += 1;
      expect(await limiter.consume("sub:dave")).toMatchObject({ failedOpen: false, allowed: true });
      expect(redis.asked).toHaveLength(2);
      expect(failedOpen).toEqual(["rate_limit.failed_open", "rate_limit.failed_open"]);
    });

    it("uses a pause of 1 s by default", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis, { redisPauseMs: undefined });
      redis.mode = "down";
      await limiter.consume("sub:dave");
      redis.mode = "up";
      clock.now += 999;
      expect(await limiter.consume("sub:dave")).toEqual(FAILED_OPEN);
      clock.now += 1;
      expect(await limiter.consume("sub:dave")).toMatchObject({ failedOpen: false });
    });

    it("warns at most once a minute, saying how many requests went through unlimited", async () => {
      const redis = scriptedRedis();
      const { limiter, clock, warnings } = limiterOn(redis);
      redis.mode = "down";
      await limiter.consume("sub:erin"); // fails: the warning
      await limiter.consume("sub:erin"); // paused: no Redis, no line
      clock.now += 1000;
      await limiter.consume("sub:erin"); // the probe fails: within the minute, no line
      expect(warnings()).toEqual([
        expect.objectContaining({
          msg: "rate limiter cannot reach Redis: requests go on unlimited",
          failedOpenRequests: 1,
          err: expect.objectContaining({ message: "Connection is closed." }),
        }),
      ]);
      clock.now += 58_999;
      await limiter.consume("sub:erin"); // 59.999 s after the warning: still none
      expect(warnings()).toHaveLength(1);
      clock.now += 1;
      await limiter.consume("sub:erin"); // paused: no error to tell, so no line either
      clock.now += 1000;
      await limiter.consume("sub:erin"); // a failure a minute on: the second line
      expect(warnings()).toHaveLength(2);
      expect(warnings()[1]).toMatchObject({ failedOpenRequests: 5 });
    });

    it("after the pause, lets one request alone probe Redis; the others go on unlimited", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis);
      redis.mode = "down";
      await limiter.consume("sub:frank");
      clock.now += 1000;
      redis.mode = "held";
      const probe = limiter.consume("sub:frank");
      expect(await limiter.consume("sub:grace")).toEqual(FAILED_OPEN);
      expect(redis.held).toHaveLength(1);

      redis.held[0]!.answer();
      expect(await probe).toMatchObject({ failedOpen: false, allowed: true });
      redis.mode = "up";
      // Redis answered: everybody is counted again, at once.
      const decisions = await Promise.all([
        limiter.consume("sub:grace"),
        limiter.consume("sub:heidi"),
      ]);
      expect(decisions).toEqual([
        expect.objectContaining({ failedOpen: false }),
        expect.objectContaining({ failedOpen: false }),
      ]);
    });

    it("probes again after a failed probe, once the next pause is over", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis);
      redis.mode = "down";
      await limiter.consume("sub:ivan");
      clock.now += 1000;
      expect(await limiter.consume("sub:ivan")).toEqual(FAILED_OPEN); // the probe fails
      redis.mode = "up";
      clock.now += 999;
      expect(await limiter.consume("sub:ivan")).toEqual(FAILED_OPEN);
      clock.now += 1;
      expect(await limiter.consume("sub:ivan")).toMatchObject({ failedOpen: false });
      expect(redis.asked).toHaveLength(3);
    });

    it("keeps the probe alone while a request from before the failure ends", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis);
      redis.mode = "held";
      const early = limiter.consume("sub:judy"); // asks Redis before anything failed
      const failing = limiter.consume("sub:judy");
      redis.held[1]!.fail();
      expect(await failing).toEqual(FAILED_OPEN);
      clock.now += 1000;
      const probe = limiter.consume("sub:judy");
      expect(redis.held).toHaveLength(3);

      redis.held[0]!.fail(); // the early request ends while the probe is still out
      expect(await early).toEqual(FAILED_OPEN);
      clock.now += 1000;
      expect(await limiter.consume("sub:judy")).toEqual(FAILED_OPEN);
      expect(redis.held).toHaveLength(3);

      redis.held[2]!.answer();
      await probe;
    });

    it("takes a refusal that Redis counted as Redis being back", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis, { requests: 2 });
      redis.mode = "down";
      await limiter.consume("sub:mallory");
      redis.mode = "up";
      clock.now += 1000;
      redis.counts.set("rate-limit:sub:ken", 2); // other replicas used the quota up
      expect(await limiter.consume("sub:ken")).toMatchObject({ failedOpen: false, allowed: false });

      const decisions = await Promise.all([limiter.consume("sub:leo"), limiter.consume("sub:max")]);
      expect(decisions).toEqual([
        expect.objectContaining({ failedOpen: false, allowed: true }),
        expect.objectContaining({ failedOpen: false, allowed: true }),
      ]);
    });

    it("does not take a refusal from memory as Redis being back: it never asked Redis", async () => {
      const redis = scriptedRedis();
      const { limiter, clock } = limiterOn(redis, { requests: 1 });
      await limiter.consume("sub:nina"); // the last point: nina is refused from memory now
      redis.mode = "down";
      await limiter.consume("sub:oscar");
      redis.mode = "up";
      clock.now += 1000;
      expect(await limiter.consume("sub:nina")).toMatchObject({
        failedOpen: false,
        allowed: false,
      });
      expect(redis.asked).toEqual(["rate-limit:sub:nina", "rate-limit:sub:oscar"]);

      // Still unproven: one request probes, the other goes on unlimited.
      const decisions = await Promise.all([
        limiter.consume("sub:peggy"),
        limiter.consume("sub:quinn"),
      ]);
      expect(decisions).toEqual([expect.objectContaining({ failedOpen: false }), FAILED_OPEN]);
      await settle();
    });
  });
});
