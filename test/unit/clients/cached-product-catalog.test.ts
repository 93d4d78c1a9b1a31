// Cache-aside with stale-if-error in front of the product catalog. Redis is a stand-in that
// keeps what it is given (the real one is exercised through the whole service in
// test/integration): what matters here is what is asked of it, and when.
import type { Redis } from "ioredis";
import { CachedProductCatalog, STALE_KEEP_S } from "../../../src/clients/cached-product-catalog";
import type { Product, ProductCatalog } from "../../../src/clients/product-catalog";
import { createLogger } from "../../../src/infra/logger";
import { UpstreamStatusError } from "../../../src/resilience/upstream-errors";
import { LogCapture } from "../../support/log-capture";

const mug: Product = { id: "sku-mug", name: "Mug", priceCents: 1450, currency: "USD" };
const newMug: Product = { ...mug, priceCents: 1500 };
const TTL_S = 60;
const T0 = 1_700_000_000_000;

function fakeRedis(entries: Record<string, string> = {}) {
  const store = new Map(Object.entries(entries));
  const fake = {
    store,
    gets: [] as string[],
    sets: [] as unknown[][],
    failure: undefined as Error | undefined,
    redis: {
      get: (key: string) => {
        fake.gets.push(key);
        return fake.failure
          ? Promise.reject(fake.failure)
          : Promise.resolve(store.get(key) ?? null);
      },
      set: (key: string, value: string, ...rest: unknown[]) => {
        fake.sets.push([key, value, ...rest]);
        if (fake.failure) return Promise.reject(fake.failure);
        store.set(key, value);
        return Promise.resolve("OK");
      },
    } as unknown as Redis,
  };
  return fake;
}

const entryFor = (product: Product, storedAt: number) => JSON.stringify({ product, storedAt });

/** A catalog that answers `answer` (or throws it), recording the calls. */
function scriptedCatalog(answer: Product | undefined | Error) {
  const catalog = {
    calls: [] as [string, AbortSignal | undefined][],
    answer,
    getProduct(id: string, signal?: AbortSignal) {
      catalog.calls.push([id, signal]);
      return catalog.answer instanceof Error
        ? Promise.reject(catalog.answer)
        : Promise.resolve(catalog.answer);
    },
  };
  return catalog satisfies ProductCatalog;
}

function cachedCatalog(
  catalog: ProductCatalog,
  redis: Redis,
  clock: { now: number },
  onStaleServed?: () => void,
) {
  const logs = new LogCapture();
  const cached = new CachedProductCatalog({
    catalog,
    redis,
    ttlS: TTL_S,
    logger: createLogger({ level: "debug", stdout: false, destinations: [logs] }),
    now: () => clock.now,
    ...(onStaleServed ? { onStaleServed } : {}),
  });
  return { cached, logs };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const unavailable = new UpstreamStatusError("product-service", 503);

describe("cached product catalog", () => {
  it("asks the catalog on a miss and keeps the answer for the TTL plus a day of staleness", async () => {
    const redis = fakeRedis();
    const catalog = scriptedCatalog(mug);
    const { cached } = cachedCatalog(catalog, redis.redis, { now: T0 });
    const signal = new AbortController().signal;

    await expect(cached.getProduct("sku-mug", signal)).resolves.toEqual(mug);

    expect(catalog.calls).toEqual([["sku-mug", signal]]);
    expect(redis.gets).toEqual(["product:sku-mug"]);
    expect(redis.sets).toEqual([["product:sku-mug", entryFor(mug, T0), "EX", TTL_S + 86_400]]);
    expect(STALE_KEEP_S).toBe(86_400);
  });

  it("answers from the cache, without the catalog, until the entry is TTL old", async () => {
    const redis = fakeRedis({ "product:sku-mug": entryFor(mug, T0) });
    const catalog = scriptedCatalog(newMug);
    const clock = { now: T0 + TTL_S * 1000 - 1 };
    const { cached } = cachedCatalog(catalog, redis.redis, clock);

    await expect(cached.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(catalog.calls).toEqual([]);
    expect(redis.sets).toEqual([]);

    clock.now += 1;
    await expect(cached.getProduct("sku-mug")).resolves.toEqual(newMug);
    expect(catalog.calls).toHaveLength(1);
    expect(redis.sets).toEqual([
      ["product:sku-mug", entryFor(newMug, clock.now), "EX", TTL_S + 86_400],
    ]);
  });

  it("serves an expired entry when the catalog fails, saying how old it is", async () => {
    const redis = fakeRedis({ "product:sku-mug": entryFor(mug, T0) });
    let staleServed = 0;
    const { cached, logs } = cachedCatalog(
      scriptedCatalog(unavailable),
      redis.redis,
      { now: T0 + 3_600_499 },
      () => (staleServed += 1),
    );

    await expect(cached.getProduct("sku-mug")).resolves.toEqual(mug);

    expect(staleServed).toBe(1);
    expect(redis.sets).toEqual([]);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "product service unavailable; serving a stale cached product",
        productId: "sku-mug",
        ageS: 3600,
        err: expect.objectContaining({ type: "UpstreamStatusError", status: 503 }),
      }),
    ]);
  });

  it("rounds the age of a stale entry to the nearest second", async () => {
    const redis = fakeRedis({ "product:sku-mug": entryFor(mug, T0) });
    const { cached, logs } = cachedCatalog(scriptedCatalog(unavailable), redis.redis, {
      now: T0 + 3_600_500,
    });
    await cached.getProduct("sku-mug");
    expect(logs.entries[0]).toMatchObject({ ageS: 3601 });
  });

  it("serves a stale entry with nobody listening for it", async () => {
    const redis = fakeRedis({ "product:sku-mug": entryFor(mug, T0) });
    const { cached } = cachedCatalog(scriptedCatalog(unavailable), redis.redis, {
      now: T0 + 2 * TTL_S * 1000,
    });
    await expect(cached.getProduct("sku-mug")).resolves.toEqual(mug);
  });

  it("passes the catalog's failure on when it has nothing cached", async () => {
    const { cached } = cachedCatalog(scriptedCatalog(unavailable), fakeRedis().redis, { now: T0 });
    await expect(cached.getProduct("sku-mug")).rejects.toBe(unavailable);
  });

  it("caches nothing for a product the catalog does not know", async () => {
    const redis = fakeRedis();
    const { cached } = cachedCatalog(scriptedCatalog(undefined), redis.redis, { now: T0 });
    await expect(cached.getProduct("nope")).resolves.toBeUndefined();
    expect(redis.sets).toEqual([]);
  });

  it.each([
    ["not JSON", "{oops", true],
    ["JSON of another shape", JSON.stringify({ product: { id: "sku-mug" }, storedAt: T0 }), false],
    ["an entry without its time", JSON.stringify({ product: mug }), false],
  ])("treats an entry that is %s as a miss", async (_what, text, logged) => {
    const redis = fakeRedis({ "product:sku-mug": text });
    const catalog = scriptedCatalog(newMug);
    const { cached, logs } = cachedCatalog(catalog, redis.redis, { now: T0 });

    await expect(cached.getProduct("sku-mug")).resolves.toEqual(newMug);

    expect(catalog.calls).toHaveLength(1);
    const skipped = logs.entries.filter((entry) => entry.msg === "product cache read skipped");
    expect(skipped).toEqual(
      logged ? [expect.objectContaining({ level: "debug", productId: "sku-mug" })] : [],
    );
  });

  it("asks the catalog when Redis fails, and still answers when the write fails too", async () => {
    const redis = fakeRedis({ "product:sku-mug": entryFor(mug, T0) });
    redis.failure = new Error("Command timed out");
    const catalog = scriptedCatalog(newMug);
    const { cached, logs } = cachedCatalog(catalog, redis.redis, { now: T0 });

    await expect(cached.getProduct("sku-mug")).resolves.toEqual(newMug);
    await settle();

    expect(catalog.calls).toHaveLength(1);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "debug",
        msg: "product cache read skipped",
        productId: "sku-mug",
        err: expect.objectContaining({ message: "Command timed out" }),
      }),
      expect.objectContaining({
        level: "debug",
        msg: "product cache write skipped",
        productId: "sku-mug",
        err: expect.objectContaining({ message: "Command timed out" }),
      }),
    ]);
  });

  it("does not wait for the cache write before answering", async () => {
    const redis = fakeRedis();
    let written = false;
    const slowRedis = {
      get: redis.redis.get.bind(redis.redis),
      set: () => new Promise((resolve) => setTimeout(() => resolve((written = true)), 50)),
    } as unknown as Redis;
    const { cached } = cachedCatalog(scriptedCatalog(mug), slowRedis, { now: T0 });
    await expect(cached.getProduct("sku-mug")).resolves.toEqual(mug);
    expect(written).toBe(false);
  });
});
