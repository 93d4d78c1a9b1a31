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

// The window is ten buckets of windowMs / 10: each one is forgotten exactly one window after
// it began, no sooner (its traffic still counts) and no later (a spent reserve comes back).
describe("retry budget window", () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  /** How many retries the budget grants right now (taking them). */
  const grantable = (budget: RetryBudget) => {
    let granted = 0;
    while (granted < 1000 && budget.tryAcquireRetry()) granted += 1;
    return granted;
  };
  const budgetOf = (options: { percent: number; reservePerWindow: number }) =>
    new RetryBudget({ ...options, windowMs: 10_000, now: clock });

  it("gives the reserve back once a window has passed since it was spent", () => {
    const budget = budgetOf({ percent: 20, reservePerWindow: 3 });
    expect(grantable(budget)).toBe(3);
    now += 9_999;
    expect(grantable(budget)).toBe(0);
    now += 1;
    expect(grantable(budget)).toBe(3);
  });

  it("uses a window of 10 s when none is given", () => {
    const budget = new RetryBudget({ percent: 20, reservePerWindow: 1, now: clock });
    expect(grantable(budget)).toBe(1);
    now += 9_999;
    expect(grantable(budget)).toBe(0);
    now += 1;
    expect(grantable(budget)).toBe(1);
  });

  it("lets no retry ride on requests that have left the window", () => {
    const budget = budgetOf({ percent: 100, reservePerWindow: 0 });
    for (let i = 0; i < 10; i += 1) budget.recordRequest();
    now += 10_000;
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it("counts a request in the bucket of the time it was made", () => {
    const budget = budgetOf({ percent: 100, reservePerWindow: 0 });
    now += 5_000;
    budget.recordRequest(); // the budget's first act, half a window after it was made
    now += 9_999;
    expect(grantable(budget)).toBe(1);
  });

  it("forgets each bucket one window after it began, and only that bucket", () => {
    // Fresh budgets replay the same history and are read at different moments, since
    // reading one takes the retries it grants.
    const replay = () => {
      now = 1_000_000;
      const budget = budgetOf({ percent: 100, reservePerWindow: 0 });
      budget.recordRequest(); // bucket of t = 0 s
      now += 3_000;
      budget.recordRequest(); // bucket of t = 3 s
      now += 1_000;
      budget.recordRequest(); // bucket of t = 4 s
      return budget;
    };
    const at = (tMs: number) => {
      const budget = replay();
      now = 1_000_000 + tMs;
      return grantable(budget);
    };
    expect(at(9_999)).toBe(3);
    expect(at(10_000)).toBe(2);
    expect(at(12_999)).toBe(2);
    expect(at(13_000)).toBe(1);
    expect(at(14_000)).toBe(0);
  });

  it("keeps counting in the ring across many windows", () => {
    const budget = budgetOf({ percent: 100, reservePerWindow: 0 });
    for (let second = 0; second < 35; second += 1) {
      budget.recordRequest();
      now += 1_000;
    }
    // At 35 s the window (26..35 s) holds the requests of 26..34 s, whatever came before.
    expect(grantable(budget)).toBe(9);
    now += 3_000; // 26..28 s leave it: 6 requests left, 9 retries taken
    expect(grantable(budget)).toBe(0);
    now += 7_000; // the rest leave too, and the retries taken at 35 s with them
    for (let i = 0; i < 4; i += 1) budget.recordRequest();
    expect(grantable(budget)).toBe(4);
  });

  it("loses no count when the clock steps back", () => {
    const budget = budgetOf({ percent: 100, reservePerWindow: 0 });
    now += 5_000;
    budget.recordRequest();
    now -= 6_000; // to before the budget was made (Date.now() is not monotonic)
    budget.recordRequest();
    expect(grantable(budget)).toBe(2);
  });
});
