// The product lookups of one order, through the real retrying catalog and breaker, against a
// scripted product API: one deadline and one cancellation for all of them.
import { setTimeout as sleep } from "node:timers/promises";
import type { Product } from "../../../src/clients/product-catalog";
import { RetryingProductCatalog } from "../../../src/clients/retrying-product-catalog";
import {
  isUpstreamFailure,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from "../../../src/resilience/upstream-errors";
import { ServiceUnavailableError } from "../../../src/errors";
import { createLogger } from "../../../src/infra/logger";
import type { OrderRepository } from "../../../src/orders/order-repository";
import { OrderService } from "../../../src/orders/order-service";
import type { PendingOrderCharger } from "../../../src/orders/pending-order-charger";
import { CircuitBreaker } from "../../../src/resilience/circuit-breaker";
import { RetryBudget } from "../../../src/resilience/retry-budget";

const logger = createLogger({ level: "silent", stdout: false });

/** "broken" fails for good at once; every other id keeps failing after 20 ms, retryably. */
function scriptedApi() {
  const attempts = new Map<string, number>();
  const aborted: string[] = [];
  const getProduct = async (id: string, signal?: AbortSignal): Promise<Product | undefined> => {
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    if (id === "broken") throw new UpstreamStatusError("product-service", 400);
    try {
      await sleep(20, undefined, { signal });
    } catch {
      aborted.push(id);
      throw new UpstreamUnreachableError("product-service", "aborted");
    }
    throw new UpstreamStatusError("product-service", 503);
  };
  return { attempts, aborted, getProduct };
}

function orderServiceOver(api: ReturnType<typeof scriptedApi>, deadlineMs = 5000) {
  const budget = new RetryBudget({ percent: 100 });
  const catalog = new RetryingProductCatalog({
    breaker: new CircuitBreaker(api.getProduct, {
      name: "product-service",
      failureThreshold: 1000,
      resetTimeoutMs: 60_000,
      successThreshold: 1,
      isFailure: isUpstreamFailure,
    }),
    maxAttempts: 5,
    backoff: { baseDelayMs: 50, maxDelayMs: 50 },
    budget,
    deadlineMs,
    logger,
    random: () => 1,
  });
  const service = new OrderService({
    // Never reached: the order fails before anything is stored or charged.
    repository: {} as OrderRepository,
    charger: {} as PendingOrderCharger,
    productCatalog: catalog,
    logger,
    productDeadlineMs: deadlineMs,
  });
  return { service, budget };
}

const orderOf = (...productIds: string[]) => ({
  customerId: "c-1",
  items: productIds.map((productId) => ({ productId, quantity: 1 })),
  paymentToken: "tok",
});

describe("the product lookups of one order", () => {
  it("cancels every sibling lookup as soon as one fails, so none retries after the answer", async () => {
    const api = scriptedApi();
    const { service } = orderServiceOver(api);
    await expect(service.placeOrder(orderOf("sku-a", "broken", "sku-b"))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await sleep(300); // what the siblings' retries (5 attempts, 50 ms apart) would have taken
    expect(api.aborted.sort()).toEqual(["sku-a", "sku-b"]);
    expect(api.attempts.get("sku-a")).toBe(1);
    expect(api.attempts.get("sku-b")).toBe(1);
  });

  it("leaves the retry budget untouched by cancelled siblings", async () => {
    const api = scriptedApi();
    const { service, budget } = orderServiceOver(api);
    const spent = jest.spyOn(budget, "tryAcquireRetry");
    await expect(service.placeOrder(orderOf("sku-a", "broken"))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await sleep(300);
    expect(spent).not.toHaveBeenCalled();
  });

  it("stops every lookup at the one deadline of the order", async () => {
    const api = scriptedApi();
    const { service } = orderServiceOver(api, 200);
    await expect(service.placeOrder(orderOf("sku-a", "sku-b", "sku-c"))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    // An attempt takes 20 ms and each retry waits 50 ms before it: a fourth attempt could
    // start only after 210 ms, past the 200 ms deadline (the fifth the policy allows, never).
    for (const id of ["sku-a", "sku-b", "sku-c"]) {
      expect(api.attempts.get(id)).toBeGreaterThanOrEqual(1);
      expect(api.attempts.get(id)).toBeLessThanOrEqual(3);
    }
  });
});
