// Cache-aside in front of the product catalog. Redis is an optimisation here, never a
// dependency: any Redis failure falls through to the catalog itself.
import type { Redis } from "ioredis";
import type { Logger } from "../infra/logger";
import { productSchema, type Product, type ProductCatalog } from "./product-catalog";

export interface CachedProductCatalogOptions {
  readonly catalog: ProductCatalog;
  readonly redis: Redis;
  readonly ttlS: number;
  readonly logger: Logger;
}

export class CachedProductCatalog implements ProductCatalog {
  constructor(private readonly options: CachedProductCatalogOptions) {}

  async getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    const cached = await this.readCache(id);
    if (cached) return cached;
    const product = await this.options.catalog.getProduct(id, signal);
    if (product) this.writeCache(product);
    return product;
  }

  private async readCache(id: string): Promise<Product | undefined> {
    try {
      const text = await this.options.redis.get(cacheKey(id));
      if (text === null) return undefined;
      const parsed = productSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      this.options.logger.debug({ err: error, productId: id }, "product cache read skipped");
      return undefined;
    }
  }

  private writeCache(product: Product): void {
    // Not awaited: the answer does not depend on the cache write succeeding.
    this.options.redis
      .set(cacheKey(product.id), JSON.stringify(product), "EX", this.options.ttlS)
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
