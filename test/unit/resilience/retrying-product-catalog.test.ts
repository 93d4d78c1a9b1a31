import type { Product } from "../../../src/clients/product-catalog";
import {
  isUpstreamFailure,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from "../../../src/resilience/upstream-errors";
import { RetryingProductCatalog } from "../../../src/clients/retrying-product-catalog";
import { createLogger } from "../../../src/infra/logger";
import { CircuitBreaker } from "../../../src/resilience/circuit-breaker";
import { RetryBudget } from "../../../src/resilience/retry-budget";

const mug: Product = { id: "sku-mug", name: "Mug", priceCents: 1450, currency: "USD" };
const logger = createLogger({ level: "silent", stdout: false });

/** A product API whose answers are scripted one call at a time (then it answers `mug`). */
function scriptedApi(answers: (Error | Product | undefined)[]) {
  const api = {
    calls: 0,
    getProduct: (): Promise<Product | undefined> => {
      const answer = answers[api.calls];
      api.calls += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? mug);
    },
  };
  return api;
}

function catalogFor(api: ReturnType<typeof scriptedApi>, overrides: Record<string, unknown> = {}) {
  const retries: { attempt: number; delayMs: number }[] = [];
  let budgetRefusals = 0;
  const breaker = new CircuitBreaker(
    (_id: string, _signal: AbortSignal | undefined) => api.getProduct(),
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
    logger,
    onRetry: (retry) => retries.push(retry),
    onBudgetExhausted: () => (budgetRefusals += 1),
    ...overrides,
  });
  return { catalog, breaker, retries, budgetRefusals: () => budgetRefusals };
}

const productError = (status: number, retryAfterS?: number) =>
  new UpstreamStatusError("product-service", status, retryAfterS);
const unavailable = () => productError(503);
const timeout = () => new UpstreamUnreachableError("product-service", "timeout");
const network = () => new UpstreamUnreachableError("product-service", "network");

describe("retrying product catalog", () => {
  it("retries network errors, timeouts and 5xx, then returns the product", async () => {
    const api = scriptedApi([network(), timeout()]);
    const { catalog, retries, breaker } = catalogFor(api);
    await expect(catalog.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(api.calls).toBe(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    breaker.shutdown();
  });

  it("makes RETRY_MAX_ATTEMPTS attempts in all, then gives up with the upstream's error", async () => {
    const api = scriptedApi([unavailable(), unavailable(), unavailable(), unavailable()]);
    const { catalog, breaker } = catalogFor(api);
    await expect(catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(UpstreamStatusError);
    expect(api.calls).toBe(3);
    breaker.shutdown();
  });

  it.each([400, 401, 403, 422])("never retries a %i", async (status) => {
    const api = scriptedApi([productError(status)]);
    const { catalog, breaker } = catalogFor(api);
    await expect(catalog.getProduct("sku-mug")).rejects.toMatchObject({ status });
    expect(api.calls).toBe(1);
    breaker.shutdown();
  });

  it("does not retry a 404: the product does not exist", async () => {
    const api = { calls: 0, getProduct: () => ((api.calls += 1), Promise.resolve(undefined)) };
    const { catalog, breaker } = catalogFor(api);
    await expect(catalog.getProduct("nope")).resolves.toBeUndefined();
    expect(api.calls).toBe(1);
    breaker.shutdown();
  });

  it("retries 408 and 429", async () => {
    const api = scriptedApi([productError(429), productError(408)]);
    const { catalog, breaker } = catalogFor(api);
    await expect(catalog.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(api.calls).toBe(3);
    breaker.shutdown();
  });

  it("honours Retry-After when it asks for longer than the backoff (capped)", async () => {
    const api = scriptedApi([productError(503, 0.015)]);
    const { catalog, retries, breaker } = catalogFor(api, {
      backoff: { baseDelayMs: 1, maxDelayMs: 20 },
    });
    await catalog.getProduct("sku-mug");
    expect(retries[0]!.delayMs).toBe(15);
    breaker.shutdown();
  });

  it("stops retrying at once when the product service's breaker opens", async () => {
    const api = scriptedApi([unavailable(), unavailable(), unavailable()]);
    const { catalog, breaker } = catalogFor(api, { failureThreshold: 2, maxAttempts: 5 });
    await expect(catalog.getProduct("sku-mug")).rejects.toBeDefined();
    expect(api.calls).toBe(2);
    expect(breaker.state).toBe("open");
    breaker.shutdown();
  });

  it("does not retry once the retry budget is spent", async () => {
    const api = scriptedApi(Array.from({ length: 100 }, unavailable));
    const { catalog, breaker, budgetRefusals } = catalogFor(api, {
      budget: new RetryBudget({ percent: 0, reservePerWindow: 1 }),
    });
    await expect(catalog.getProduct("a")).rejects.toBeDefined(); // 1 retry from the reserve
    await expect(catalog.getProduct("b")).rejects.toBeDefined(); // none left
    expect(api.calls).toBe(3);
    expect(budgetRefusals()).toBe(2);
    breaker.shutdown();
  });

  it("does not start a retry that would end after the deadline", async () => {
    const api = scriptedApi([unavailable(), unavailable()]);
    const { catalog, breaker } = catalogFor(api, {
      backoff: { baseDelayMs: 10_000, maxDelayMs: 10_000 },
      random: () => 0.99,
      deadlineMs: 1_000,
    });
    await expect(catalog.getProduct("sku-mug")).rejects.toBeInstanceOf(UpstreamStatusError);
    expect(api.calls).toBe(1);
    breaker.shutdown();
  });
});
