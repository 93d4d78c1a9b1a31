// The product service as the order service sees it (DESIGN.md "Downstream services").
import { z } from "zod";
import { requestJson, retryAfterSeconds, urlWithSegments } from "./http-json";
import { UnusableUpstreamAnswerError, UpstreamStatusError } from "../resilience/upstream-errors";

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
}

export interface ProductCatalog {
  /** The product, or undefined when the catalog says it does not exist (404). */
  getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined>;
}

export const productSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  priceCents: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

export interface HttpProductCatalogOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/** One plain HTTP attempt per call; retries and breaking are layered on top of it. */
export class HttpProductCatalog implements ProductCatalog {
  constructor(private readonly options: HttpProductCatalogOptions) {}

  async getProduct(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    const url = urlWithSegments(this.options.baseUrl, "products", id);
    // No product can live at a dot segment: asking would fetch the collection or the root.
    if (url === undefined) return undefined;
    const response = await requestJson({
      upstream: "product-service",
      url,
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      throw new UpstreamStatusError(
        "product-service",
        response.status,
        retryAfterSeconds(response.headers),
      );
    }
    const product = productSchema.safeParse(response.body);
    if (!product.success || product.data.id !== id) {
      throw new UnusableUpstreamAnswerError("product-service", response.status, "unexpected-body");
    }
    return product.data;
  }
}
