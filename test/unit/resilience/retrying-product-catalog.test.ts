import type { Product } from "../../../src/clients/product-catalog";
import {
  isUpstreamFailure,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from "../../../src/resilience/upstream-errors";
import { RetryingProductCatalog } from "../../../src/clients/retrying-product-catalog";
import { createLogger } from "../../../src/infra/logger";
import { BreakerOpenError, CircuitBreaker } from "../../../src/resilience/circuit-breaker";
import { RetryBudget } from "../../../src/resilience/retry-budget";
import { LogCapture } from "../../support/log-capture";

const mug: Product = { id: "sku-mug", name: "Mug", priceCents: 1450, currency: "USD" };

/** A product API whose answers are scripted one call at a time (then it answers `mug`). */
function scriptedApi(answers: (Error | Product | undefined)[], onCall?: () => void) {
  const api = {
    calls: 0,
    signals: [] as (AbortSignal | undefined)[],
    getProduct: (_id: string, signal?: AbortSignal): Promise<Product | undefined> => {
      const answer = answers[api.calls];
      api.calls += 1;
      api.signals.push(signal);
      onCall?.();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? mug);
    },
  };
  return api;
}

type Api = Pick<ReturnType<typeof scriptedApi>, "getProduct">;

function catalogFor(api: Api, overrides: Record<string, unknown> = {}) {
  const retries: { attempt: number; delayMs: number }[] = [];
  let budgetRefusals = 0;
  const logs = new LogCapture();
  const breaker = new CircuitBreaker(
    (id: string, signal: AbortSignal | undefined) => api.getProduct(id, signal),
    {
      name: "product-service",
      failureThreshold: (overrides.failureThreshold as number) ?? 100,
      resetTimeoutMs: 60_000,
      successThreshold: 1,
      isFailure: isUpstreamFailure,
    },
  );
  const catalog = new RetryingProductCatalog({
    breaker,
    maxAttempts: 3,
    backoff: { baseDelayMs: 1, maxDelayMs: 20 },
    budget: new RetryBudget({ percent: 20 }),
    deadlineMs: 5_000,
    logger: createLogger({ level: "debug", stdout: false, destinations: [logs] }),
    onRetry: (retry) => retries.push(retry),
    onBudgetExhausted: () => (budgetRefusals += 1),
    ...overrides,
  });
  return { catalog, breaker, retries, logs, budgetRefusals: () => budgetRefusals };
}

const productError = (status: number, retryAfterS?: number) =>
  new UpstreamStatusError("product-service", status, retryAfterS);
const unavailable = () => productError(503);
const timeout = () => new UpstreamUnreachableError("product-service", "timeout");
const network = () => new UpstreamUnreachableError("product-service", "network");

describe("retrying product catalog", () => {
  let breaker: CircuitBreaker<[string, AbortSignal | undefined], Product | undefined> | undefined;
  afterEach(() => {
    breaker?.shutdown();
    breaker = undefined;
    jest.restoreAllMocks();
  });

  it("retries network errors, timeouts and 5xx, then returns the product", async () => {
    const api = scriptedApi([network(), timeout()]);
    const built = catalogFor(api);
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(api.calls).toBe(3);
    expect(built.retries.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it("logs each retry with the product, the attempt, the delay and the error", async () => {
    const api = scriptedApi([unavailable()]);
    const built = catalogFor(api, {
      random: () => 0.5,
      backoff: { baseDelayMs: 8, maxDelayMs: 8 },
    });
    ({ breaker } = built);
    await built.catalog.getProduct("sku-mug");
    expect(built.logs.entries).toEqual([
      expect.objectContaining({
        level: "info",
        msg: "product lookup failed; retrying",
        productId: "sku-mug",
        attempt: 1,
        delayMs: 4,
        err: expect.objectContaining({ type: "UpstreamStatusError", status: 503 }),
      }),
    ]);
  });

  it("makes RETRY_MAX_ATTEMPTS attempts in all, then gives up with the upstream's error", async () => {
    const api = scriptedApi([unavailable(), unavailable(), unavailable(), unavailable()]);
    const built = catalogFor(api);
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(UpstreamStatusError);
    expect(api.calls).toBe(3);
  });

  it.each([400, 401, 403, 422])("never retries a %i", async (status) => {
    const api = scriptedApi([productError(status)]);
    const built = catalogFor(api);
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).rejects.toMatchObject({
      name: "UpstreamStatusError",
      status,
    });
    expect(api.calls).toBe(1);
  });

  it("does not retry a 404: the product does not exist", async () => {
    const api = { calls: 0, getProduct: () => ((api.calls += 1), Promise.resolve(undefined)) };
    const built = catalogFor(api);
    ({ breaker } = built);
    await expect(built.catalog.getProduct("nope")).resolves.toBeUndefined();
    expect(api.calls).toBe(1);
  });

  it("retries 408 and 429", async () => {
    const api = scriptedApi([productError(429), productError(408)]);
    const built = catalogFor(api);
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(api.calls).toBe(3);
  });

  it("honours Retry-After when it asks for longer than the backoff (capped)", async () => {
    const api = scriptedApi([productError(503, 0.015)]);
    const built = catalogFor(api, { backoff: { baseDelayMs: 1, maxDelayMs: 20 } });
    ({ breaker } = built);
    await built.catalog.getProduct("sku-mug");
    expect(built.retries[0]!.delayMs).toBe(15);
  });

  it("retries without onRetry and onBudgetExhausted listeners", async () => {
    const api = scriptedApi([unavailable()]);
    const built = catalogFor(api, { onRetry: undefined, onBudgetExhausted: undefined });
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(api.calls).toBe(2);
  });

  it("stops retrying at once when the product service's breaker opens", async () => {
    const api = scriptedApi([unavailable(), unavailable(), unavailable()]);
    const built = catalogFor(api, { failureThreshold: 2, maxAttempts: 5 });
    ({ breaker } = built);
    await expect(built.catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(BreakerOpenError);
    expect(api.calls).toBe(2);
    expect(built.breaker.state).toBe("open");
  });

  describe("the retry budget", () => {
    it("does not retry once the budget is spent, and says so", async () => {
      const api = scriptedApi(Array.from({ length: 100 }, unavailable));
      const built = catalogFor(api, {
        budget: new RetryBudget({ percent: 0, reservePerWindow: 1 }),
      });
      ({ breaker } = built);
      // One retry from the reserve, then none left.
      await expect(built.catalog.getProduct("a")).rejects.toMatchObject({ status: 503 });
      await expect(built.catalog.getProduct("b")).rejects.toMatchObject({ status: 503 });
      expect(api.calls).toBe(3);
      expect(built.budgetRefusals()).toBe(2);
      const warnings = built.logs.entries.filter((entry) => entry.level === "warn");
      expect(warnings).toEqual([
        expect.objectContaining({ msg: "retry budget exhausted; not retrying", productId: "a" }),
        expect.objectContaining({ msg: "retry budget exhausted; not retrying", productId: "b" }),
      ]);
    });

    it("gives up with the upstream's error when the budget is spent and nobody listens", async () => {
      const api = scriptedApi([unavailable(), unavailable()]);
      const built = catalogFor(api, {
        budget: new RetryBudget({ percent: 0, reservePerWindow: 0 }),
        onBudgetExhausted: undefined,
      });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(UpstreamStatusError);
      expect(api.calls).toBe(1);
    });

    it("counts every lookup as a request, which is what earns retries", async () => {
      // 100% of the lookups and no reserve: each lookup earns exactly one retry.
      const budget = new RetryBudget({ percent: 100, reservePerWindow: 0 });
      const api = scriptedApi([unavailable(), unavailable(), unavailable(), unavailable()]);
      const built = catalogFor(api, { budget });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("a")).rejects.toMatchObject({ status: 503 });
      expect(api.calls).toBe(2);
      expect(budget.tryAcquireRetry()).toBe(false);
    });
  });

  describe("the deadline", () => {
    /** A clock the test moves: each attempt takes `attemptMs` of it. */
    function timedApi(attemptMs: number) {
      let nowMs = 0;
      jest.spyOn(performance, "now").mockImplementation(() => nowMs);
      return scriptedApi([unavailable(), unavailable()], () => (nowMs += attemptMs));
    }
    // The backoff before the first retry is then exactly 50 ms (random 0.999 of 0..50).
    const fixedBackoff = { backoff: { baseDelayMs: 50, maxDelayMs: 50 }, random: () => 0.999 };

    it("does not start a retry whose backoff would end at the deadline, time spent counted", async () => {
      const api = timedApi(9_950);
      const built = catalogFor(api, { ...fixedBackoff, deadlineMs: 10_000 });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("sku-mug")).rejects.toMatchObject({
        name: "UpstreamStatusError",
        status: 503,
      });
      expect(api.calls).toBe(1);
      expect(built.retries).toEqual([]);
    });

    it("retries when the backoff ends before the deadline", async () => {
      const api = timedApi(9_949);
      const built = catalogFor(api, { ...fixedBackoff, deadlineMs: 10_000 });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("sku-mug")).rejects.toMatchObject({ status: 503 });
      expect(built.retries).toEqual([expect.objectContaining({ attempt: 1, delayMs: 50 })]);
    });

    it("does not start a retry that would end after the deadline", async () => {
      const api = scriptedApi([unavailable(), unavailable()]);
      const built = catalogFor(api, {
        backoff: { baseDelayMs: 10_000, maxDelayMs: 10_000 },
        random: () => 0.99,
        deadlineMs: 1_000,
      });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(UpstreamStatusError);
      expect(api.calls).toBe(1);
    });
  });

  describe("the caller's AbortSignal", () => {
    it("reaches every attempt, tied to the caller's abort", async () => {
      const caller = new AbortController();
      const api = scriptedApi([unavailable()]);
      const built = catalogFor(api);
      ({ breaker } = built);
      await built.catalog.getProduct("sku-mug", caller.signal);
      expect(api.signals).toHaveLength(2);
      expect(api.signals[0]).toBeInstanceOf(AbortSignal);
      expect(api.signals[0]).toBe(api.signals[1]);
      expect(api.signals[0]!.aborted).toBe(false);
      caller.abort();
      expect(api.signals[0]!.aborted).toBe(true);
    });

    it("cuts the backoff short, giving up with the upstream's error rather than the abort", async () => {
      const caller = new AbortController();
      const api = scriptedApi([unavailable(), unavailable()]);
      const built = catalogFor(api, {
        // Long enough that a backoff the abort did not cut would fail the test.
        backoff: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
        deadlineMs: 120_000,
        random: () => 0.999,
        // Called just before the backoff sleep starts: the caller gives up then.
        onRetry: () => caller.abort(),
      });
      ({ breaker } = built);
      await expect(built.catalog.getProduct("sku-mug", caller.signal)).rejects.toMatchObject({
        name: "UpstreamStatusError",
        status: 503,
      });
      expect(api.calls).toBe(1);
    });

    it("makes no attempt at all for a caller that already gave up", async () => {
      const api = scriptedApi([]);
      const built = catalogFor(api);
      ({ breaker } = built);
      const reason = new Error("client went away");
      await expect(built.catalog.getProduct("sku-mug", AbortSignal.abort(reason))).rejects.toBe(
        reason,
      );
      expect(api.calls).toBe(0);
    });
  });
});
