import type { Tracer } from "@opentelemetry/api";
import { inSpan } from "../telemetry/in-span";
import type { Product, ProductCatalog } from "./product-catalog";

/**
 * One span per product lookup, around the cache, the retries and the breaker: its children
 * are the Redis and HTTP calls, its events the retries, its status the lookup's outcome.
 */
export class TracedProductCatalog implements ProductCatalog {
  constructor(
    private readonly catalog: ProductCatalog,
    private readonly tracer: Tracer,
  ) {}

  getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    return inSpan(this.tracer, "product lookup", { "product.id": id }, () =>
      this.catalog.getProduct(id, signal),
    );
  }
}
