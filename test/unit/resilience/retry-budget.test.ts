import { RetryBudget } from "../../../src/resilience/retry-budget";

describe("retry budget", () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it("allows a small reserve of retries even without traffic", () => {
    const budget = new RetryBudget({ percent: 20, reservePerWindow: 3, now: clock });
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
  });

  it("lets retries add at most the configured share of requests", () => {
    const budget = new RetryBudget({ percent: 20, reservePerWindow: 0, now: clock });
    for (let i = 0; i < 100; i += 1) budget.recordRequest();
    const granted = Array.from({ length: 50 }, () => budget.tryAcquireRetry()).filter(Boolean);
    expect(granted).toHaveLength(20);
  });

  it("forgets requests and retries older than the window", () => {
    const budget = new RetryBudget({
      percent: 20,
      reservePerWindow: 0,
      windowMs: 10_000,
      now: clock,
    });
    for (let i = 0; i < 10; i += 1) budget.recordRequest();
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(false);
    now += 10_000;
    expect(budget.tryAcquireRetry()).toBe(false); // old requests no longer count either
    for (let i = 0; i < 5; i += 1) budget.recordRequest();
    expect(budget.tryAcquireRetry()).toBe(true);
  });

  it("slides: half a window later, half of the old traffic still counts", () => {
    const budget = new RetryBudget({
      percent: 10,
      reservePerWindow: 0,
      windowMs: 10_000,
      now: clock,
    });
    for (let i = 0; i < 100; i += 1) budget.recordRequest(); // allows 10
    now += 5_000;
    for (let i = 0; i < 100; i += 1) budget.recordRequest(); // window: 200 -> allows 20
    expect(Array.from({ length: 30 }, () => budget.tryAcquireRetry()).filter(Boolean)).toHaveLength(
      20,
    );
    now += 5_000; // the first 100 leave the window -> allows 10, 20 already used
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it("never allows retries at 0 percent without a reserve", () => {
    const budget = new RetryBudget({ percent: 0, reservePerWindow: 0, now: clock });
    for (let i = 0; i < 1000; i += 1) budget.recordRequest();
    expect(budget.tryAcquireRetry()).toBe(false);
  });
});
