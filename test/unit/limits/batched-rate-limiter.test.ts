// The batched limiter's decisions: when it asks Redis (through the shared limiter), what it
// decides alone, when a request waits, and how it gives way to the shared limiter when Redis
// fails - on a clock the test moves, fake timers for the sync interval, and a stand-in for the
// shared limiter that counts like Redis and whose answers the test can hold back. Two replicas
// on the real Redis are test/integration/rate-limit.test.ts's subject.
import {
  createBatchedRateLimiter,
  type BatchedRateLimiterOptions,
} from "../../../src/limits/batched-rate-limiter";
import type { RateLimitDecision, SharedRateLimiter } from "../../../src/limits/shared-rate-limiter";

/** Counts per key as Redis does; "down" fails open, "held" keeps each answer until released. */
function countingShared(requests: number) {
  const fake = {
    counts: new Map<string, number>(),
    /** Every count that reached "Redis": [key, points]. */
    asked: [] as [string, number][],
    mode: "up" as "up" | "down" | "held",
    held: [] as { answer(): void; failOpen(): void }[],
    /** What Redis says is left of every window. */
    resetMs: 30_000,
    limiter: {
      requests,
      windowS: 60,
      consume(key: string, points = 1): Promise<RateLimitDecision> {
        fake.asked.push([key, points]);
        if (fake.mode === "down") return Promise.resolve({ failedOpen: true });
        const count = (): RateLimitDecision => {
          const consumed = (fake.counts.get(key) ?? 0) + points;
          fake.counts.set(key, consumed);
          return {
            failedOpen: false,
            allowed: consumed <= requests,
            limit: requests,
            remaining: Math.max(0, requests - consumed),
            resetS: Math.ceil(fake.resetMs / 1000),
            resetMs: fake.resetMs,
          };
        };
        if (fake.mode === "up") return Promise.resolve(count());
        return new Promise((resolve) =>
          fake.held.push({
            answer: () => resolve(count()),
            failOpen: () => resolve({ failedOpen: true }),
          }),
        );
      },
    } satisfies SharedRateLimiter,
    /** Answers every held count, in order. */
    release() {
      fake.held.splice(0).forEach((held) => held.answer());
    },
  };
  return fake;
}

function batchedOn(
  shared: ReturnType<typeof countingShared>,
  overrides: Partial<BatchedRateLimiterOptions> = {},
) {
  const clock = { now: 1_000_000 };
  const limiter = createBatchedRateLimiter({
    shared: shared.limiter,
    now: () => clock.now,
    ...overrides,
  });
  return { limiter, clock };
}

const allowed = (remaining: number, resetS = 30) =>
  expect.objectContaining({ failedOpen: false, allowed: true, remaining, resetS });
const refused = (resetS = 30) =>
  expect.objectContaining({ failedOpen: false, allowed: false, remaining: 0, resetS });
/** Lets promise callbacks queued by answers already given run. */
const settle = () => jest.advanceTimersByTimeAsync(0);
const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe("the batched rate limiter", () => {
  it("asks Redis once when a caller's window opens, then counts the caller's next requests here", async () => {
    const shared = countingShared(100); // slack 5: a batch goes at 3
    const { limiter } = batchedOn(shared);
    expect(await limiter.consume("sub:alice")).toEqual({
      failedOpen: false,
      allowed: true,
      limit: 100,
      remaining: 99,
      resetS: 30,
      resetMs: 30_000,
    });
    expect(await limiter.consume("sub:alice")).toEqual({
      failedOpen: false,
      allowed: true,
      limit: 100,
      remaining: 98,
      resetS: 30,
      resetMs: 30_000,
    });
    expect(await limiter.consume("sub:alice")).toEqual(allowed(97));
    expect(shared.asked).toEqual([["sub:alice", 1]]);
    expect([limiter.requests, limiter.windowS]).toEqual([100, 60]);
  });

  it("sends a caller's count as one batch once half its slack is used", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    for (let i = 0; i < 4; i += 1) await limiter.consume("sub:bob");
    expect(shared.asked).toEqual([
      ["sub:bob", 1],
      ["sub:bob", 3],
    ]);
    expect(shared.counts.get("sub:bob")).toBe(4);
  });

  it("sends what it counted within the sync interval, 1 s by default", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    await limiter.consume("sub:carol");
    await limiter.consume("sub:carol");
    await limiter.consume("sub:dave");
    await limiter.consume("sub:dave");
    await jest.advanceTimersByTimeAsync(999);
    expect(shared.asked).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(shared.asked).toEqual([
      ["sub:carol", 1],
      ["sub:dave", 1],
      ["sub:carol", 1],
      ["sub:dave", 1],
    ]);
    // Nothing left to send: no more batches.
    await jest.advanceTimersByTimeAsync(5000);
    expect(shared.asked).toHaveLength(4);
  });

  it("sends at the next sync what it counted while a batch was still out, though the caller went quiet", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    await limiter.consume("sub:carol");
    shared.mode = "held";
    for (let i = 0; i < 3; i += 1) await limiter.consume("sub:carol"); // a batch of 3 out
    await limiter.consume("sub:carol"); // counted here while it is out; then nothing more
    await jest.advanceTimersByTimeAsync(1000); // the batch is still out at this sync
    expect(shared.asked).toHaveLength(2);
    shared.mode = "up";
    shared.release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(shared.asked).toEqual([
      ["sub:carol", 1],
      ["sub:carol", 3],
      ["sub:carol", 1],
    ]);
  });

  it("sends within the sync interval it is given", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared, { syncIntervalMs: 200 });
    await limiter.consume("sub:carol");
    await limiter.consume("sub:carol");
    await jest.advanceTimersByTimeAsync(199);
    expect(shared.asked).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(shared.asked).toHaveLength(2);
  });

  it("takes back from Redis's answer what other replicas used meanwhile", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    await limiter.consume("sub:erin");
    shared.counts.set("sub:erin", 51); // other replicas let 50 through
    await limiter.consume("sub:erin");
    await limiter.consume("sub:erin");
    expect(await limiter.consume("sub:erin")).toEqual(allowed(96)); // the batch goes: 54 in Redis
    await settle();
    expect(await limiter.consume("sub:erin")).toEqual(allowed(45));
  });

  it("keeps counting the requests let through while a batch is out, and takes them off its answer", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    await limiter.consume("sub:erin");
    shared.mode = "held";
    for (let i = 0; i < 3; i += 1) await limiter.consume("sub:erin"); // the batch of 3 is out
    expect(await limiter.consume("sub:erin")).toEqual(allowed(95));
    shared.counts.set("sub:erin", 11); // other replicas' 10 reach Redis first
    shared.release();
    await settle();
    // 100 - (11 + 3) in Redis, less the one request Redis has not heard of.
    expect(await limiter.consume("sub:erin")).toEqual(allowed(84));
  });

  it("makes a request wait for Redis's answer once the replica's slack is used, and no longer", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    await limiter.consume("sub:frank");
    shared.mode = "held";
    const decisions = times(5, () => limiter.consume("sub:frank"));
    await settle();
    expect(await Promise.all(decisions)).toEqual(
      [96, 97, 98, 99, 100].map((_, i) => allowed(98 - i)),
    );

    let waited: RateLimitDecision | undefined;
    void limiter.consume("sub:frank").then((decision) => (waited = decision));
    await settle();
    expect(waited).toBeUndefined();
    expect(shared.held).toHaveLength(1);

    shared.mode = "up";
    shared.release();
    await settle();
    // The batch of 3 was answered; the waiting request went through, a batch of 3 went out.
    expect(waited).toEqual(allowed(93));
    expect(shared.asked.map(([, points]) => points)).toEqual([1, 3, 3]);
  });

  it("sends at the next request what was counted while another batch was out", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared, { slack: 4 }); // a batch goes at 2
    await limiter.consume("sub:frank");
    shared.mode = "held";
    for (let i = 0; i < 2; i += 1) await limiter.consume("sub:frank"); // a batch of 2 out
    for (let i = 0; i < 2; i += 1) await limiter.consume("sub:frank"); // 2 counted here meanwhile
    shared.mode = "up";
    shared.release();
    await settle();
    expect(await limiter.consume("sub:frank")).toEqual(allowed(94));
    expect(shared.asked.map(([, points]) => points)).toEqual([1, 2, 3]);
  });

  it("refuses from memory, without asking Redis, once the quota is used and until the window ends", async () => {
    const shared = countingShared(40); // slack 2
    const { limiter, clock } = batchedOn(shared);
    await limiter.consume("sub:grace");
    shared.counts.set("sub:grace", 39);
    await limiter.consume("sub:grace"); // the batch goes and says none are left
    await settle();
    expect(await limiter.consume("sub:grace")).toEqual(refused());
    clock.now += 10_000;
    expect(await limiter.consume("sub:grace")).toEqual(refused(20));
    expect(await limiter.consume("sub:grace")).toMatchObject({ resetMs: 20_000 });
    expect(shared.asked).toHaveLength(2);

    clock.now += 20_000; // the window ends: the next request opens a new one
    shared.counts.delete("sub:grace");
    expect(await limiter.consume("sub:grace")).toEqual(allowed(39));
    expect(shared.asked).toHaveLength(3);
  });

  it("counts a refusal from Redis at the window's opening and refuses the caller's next requests from memory", async () => {
    const shared = countingShared(40);
    shared.counts.set("sub:heidi", 40); // other replicas used the quota up
    const { limiter } = batchedOn(shared);
    expect(await limiter.consume("sub:heidi")).toEqual(refused());
    expect(await limiter.consume("sub:heidi")).toEqual(refused());
    expect(shared.asked).toHaveLength(1);
  });

  it("answers from memory what is left of the window, in whole seconds rounded up", async () => {
    const shared = countingShared(40);
    shared.counts.set("sub:heidi", 40);
    shared.resetMs = 1500;
    const { limiter, clock } = batchedOn(shared);
    await limiter.consume("sub:heidi");
    expect(await limiter.consume("sub:heidi")).toMatchObject({ resetS: 2, resetMs: 1500 });
    clock.now += 1499;
    expect(await limiter.consume("sub:heidi")).toMatchObject({ resetS: 1, resetMs: 1 });
    clock.now += 1;
    shared.counts.delete("sub:heidi");
    expect(await limiter.consume("sub:heidi")).toEqual(allowed(39, 2));
  });

  it("lets the caller's other first requests wait for the one that asks Redis, then counts them here", async () => {
    const shared = countingShared(100);
    const { limiter } = batchedOn(shared);
    shared.mode = "held";
    const decisions = times(3, () => limiter.consume("sub:ivan"));
    await settle();
    expect(shared.asked).toEqual([["sub:ivan", 1]]);
    shared.release();
    expect(await Promise.all(decisions)).toEqual([allowed(99), allowed(98), allowed(97)]);
  });

  it("does not carry counts of a window that ended over to the next one", async () => {
    const shared = countingShared(100);
    const { limiter, clock } = batchedOn(shared);
    await limiter.consume("sub:judy");
    await limiter.consume("sub:judy"); // counted here, not sent
    clock.now += 30_000;
    shared.counts.delete("sub:judy"); // Redis let the window's key expire
    await jest.advanceTimersByTimeAsync(1000);
    expect(shared.asked).toEqual([["sub:judy", 1]]);

    expect(await limiter.consume("sub:judy")).toEqual(allowed(99));
    expect(shared.asked).toEqual([
      ["sub:judy", 1],
      ["sub:judy", 1],
    ]);
  });

  it("ignores the answer to a batch that comes once the caller's window has opened again", async () => {
    const shared = countingShared(100);
    const { limiter, clock } = batchedOn(shared);
    await limiter.consume("sub:ken");
    shared.mode = "held";
    for (let i = 0; i < 3; i += 1) await limiter.consume("sub:ken"); // a batch out
    clock.now += 30_000;
    shared.counts.delete("sub:ken");
    shared.mode = "up";
    expect(await limiter.consume("sub:ken")).toEqual(allowed(99)); // the new window
    shared.counts.set("sub:ken", 99);
    shared.release(); // the old batch lands in the new window's count, which it cannot undo...
    await settle();
    // ...but it does not reset what this replica knows of the new window.
    expect(await limiter.consume("sub:ken")).toEqual(allowed(98));
  });

  describe("when Redis cannot count (the shared limiter fails open)", () => {
    it("fails open when the window's opening request fails open, and asks Redis again next time", async () => {
      const shared = countingShared(100);
      const { limiter } = batchedOn(shared);
      shared.mode = "down";
      expect(await limiter.consume("sub:leo")).toEqual({ failedOpen: true });
      expect(await limiter.consume("sub:leo")).toEqual({ failedOpen: true });
      shared.mode = "up";
      expect(await limiter.consume("sub:leo")).toEqual(allowed(99));
      expect(shared.asked).toHaveLength(3);
    });

    it("leaves the caller to the shared limiter once a batch fails open", async () => {
      const shared = countingShared(100);
      const { limiter } = batchedOn(shared);
      await limiter.consume("sub:max");
      shared.mode = "down";
      for (let i = 0; i < 3; i += 1) await limiter.consume("sub:max"); // the batch fails open
      await settle();
      expect(await limiter.consume("sub:max")).toEqual({ failedOpen: true });
      shared.mode = "up";
      // The batch was lost with Redis: Redis has the window's opening request and this one.
      expect(await limiter.consume("sub:max")).toEqual(allowed(98));
    });

    it("sends a request that waited on a batch that failed open to the shared limiter", async () => {
      const shared = countingShared(100);
      const { limiter } = batchedOn(shared, { slack: 1 });
      await limiter.consume("sub:nina");
      shared.mode = "held";
      await limiter.consume("sub:nina"); // a batch of 1 out: the slack is used
      const waiting = limiter.consume("sub:nina");
      await settle();
      shared.mode = "down";
      shared.held[0]!.failOpen();
      expect(await waiting).toEqual({ failedOpen: true });
      expect(shared.asked).toEqual([
        ["sub:nina", 1],
        ["sub:nina", 1],
        ["sub:nina", 1],
      ]);
    });
  });

  it("is the shared limiter itself when the quota is too small to leave slack (under 20)", () => {
    const shared = countingShared(19);
    expect(batchedOn(shared).limiter).toBe(shared.limiter);
    expect(batchedOn(countingShared(20)).limiter).not.toBe(shared.limiter);
    const roomy = countingShared(100);
    expect(batchedOn(roomy, { slack: 0 }).limiter).toBe(roomy.limiter);
  });

  it.each([-1, 1.5, Number.NaN])("will not be built with a slack of %d", (slack) => {
    expect(() => batchedOn(countingShared(100), { slack })).toThrow(
      new Error(`slack must be a whole number of requests, not ${slack}`),
    );
  });
});
