// Cache-aside in front of the product catalog, with stale-if-error: a fresh entry skips the
// network; an entry past its TTL is kept (for STALE_KEEP_S) and served only when the product
// service cannot answer. Redis is an optimisation here, never a dependency: any Redis failure
// falls through to the catalog itself.
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../infra/logger";
import { productSchema, type Product, type ProductCatalog } from "./product-catalog";

/** How long an expired entry may still stand in for an unreachable product service. */
export const STALE_KEEP_S = 24 * 60 * 60;

const cacheEntry = z.object({ product: productSchema, storedAt: z.number() });
type CacheEntry = z.infer<typeof cacheEntry>;

export interface CachedProductCatalogOptions {
  readonly catalog: ProductCatalog;
  readonly redis: Redis;
  readonly ttlS: number;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onStaleServed?: () => void;
}

export class CachedProductCatalog implements ProductCatalog {
  readonly #now: () => number;

  constructor(private readonly options: CachedProductCatalogOptions) {
    this.#now = options.now ?? Date.now;
  }

  async getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    const cached = await this.readCache(id);
    if (cached && this.#now() - cached.storedAt < this.options.ttlS * 1000) return cached.product;
    let product: Product | undefined;
    try {
      product = await this.options.catalog.getProduct(id, signal);
    } catch (error) {
      if (!cached) throw error;
      this.options.logger.warn(
        { err: error, productId: id, ageS: Math.round((this.#now() - cached.storedAt) / 1000) },
        "product service unavailable; serving a stale cached product",
      );
      this.options.onStaleServed?.();
      return cached.product;
    }
    if (product) this.writeCache(product);
    return product;
  }

  private async readCache(id: string): Promise<CacheEntry | undefined> {
    try {
      const text = await this.options.redis.get(cacheKey(id));
      if (text === null) return undefined;
      const parsed = cacheEntry.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      this.options.logger.debug({ err: error, productId: id }, "product cache read skipped");
      return undefined;
    }
  }

  private writeCache(product: Product): void {
    const entry: CacheEntry = { product, storedAt: this.#now() };
    // Not awaited: the answer does not depend on the cache write succeeding.
    this.options.redis
      .set(cacheKey(product.id), JSON.stringify(entry), "EX", this.options.ttlS + STALE_KEEP_S)
      .catch((error: unknown) =>
        this.options.logger.debug(
          { err: error, productId: product.id },
          "product cache write skipped",
        ),
      );
  }
}

function cacheKey(productId: string): string {
  return `product:${productId}`;
}
