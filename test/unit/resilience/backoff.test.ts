import { backoffDelayMs } from "../../../src/resilience/backoff";

const policy = { baseDelayMs: 1000, maxDelayMs: 30_000 };

describe("full-jitter backoff", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [20, 30_000],
  ])("waits at most min(max, base * 2^(n-1)) before retry %i: %i ms", (retry, ceiling) => {
    expect(backoffDelayMs(retry, policy, () => 0.999999)).toBe(ceiling);
    expect(backoffDelayMs(retry, policy, () => 0)).toBe(0);
  });

  it("spreads delays over the whole interval, not around its end", () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelayMs(3, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    expect(delays.filter((d) => d < 1000).length).toBeGreaterThan(300);
    expect(delays.filter((d) => d > 3000).length).toBeGreaterThan(300);
  });

  it("waits what Retry-After asks when that is longer, capped at the maximum delay", () => {
    expect(backoffDelayMs(1, policy, () => 0.5, 7000)).toBe(7000);
    expect(backoffDelayMs(1, policy, () => 0.5, 120_000)).toBe(30_000);
    expect(backoffDelayMs(4, policy, () => 0.9, 100)).toBe(7200);
  });
});
