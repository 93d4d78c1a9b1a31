// Placing an order (DESIGN.md "Domain"): look up products, refuse at once if the payment
// breaker is open, store the order as pending, charge it, settle it. Every failure before the
// insert stores nothing (a retry is safe); every failure after it leaves a pending order that
// keeps its payment token, so nothing a customer asked for is lost and `reconcile` finishes it.
import { randomUUID } from "node:crypto";
import { OrderNotProcessableError, ProductNotFoundError, ServiceUnavailableError } from "../errors";
import type { Product, ProductCatalog } from "../clients/product-catalog";
import type { Logger } from "../infra/logger";
import type { IdempotencyClaim } from "../idempotency/idempotency-store";
import type { Order, OrderLine, OrderRequest } from "./order";
import type { OrderCursor } from "./cursor";
import type { OrderPage, OrderRepository } from "./order-repository";
import { retryAfterSecondsOf } from "../resilience/upstream-errors";
import type { PendingOrderCharger } from "./pending-order-charger";

export interface OrderServiceDependencies {
  readonly repository: OrderRepository;
  readonly productCatalog: ProductCatalog;
  readonly charger: PendingOrderCharger;
  readonly logger: Logger;
  /** The longest all product lookups of one order may take together, retries included. */
  readonly productDeadlineMs: number;
}

export class OrderService {
  constructor(private readonly deps: OrderServiceDependencies) {}

  /**
   * Resolves with the stored order: `paid`, `payment_failed` (declined), or `pending` (the
   * charge could not complete; it will be settled). Rejects only when nothing was stored.
   */
  async placeOrder(request: OrderRequest, idempotencyClaim?: IdempotencyClaim): Promise<Order> {
    const products = await this.lookUpProducts(request.items.map((item) => item.productId));
    const items: OrderLine[] = request.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPriceCents: products.get(item.productId)!.priceCents,
    }));
    const currencies = new Set([...products.values()].map((product) => product.currency));
    if (currencies.size !== 1) {
      throw new OrderNotProcessableError("All products of one order must share a currency");
    }
    this.ensureCanCharge();
    const order = await this.deps.repository.insertPending({
      id: randomUUID(),
      customerId: request.customerId,
      currency: [...currencies][0]!,
      totalCents: items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
      paymentToken: request.paymentToken,
      items,
      idempotencyClaim,
    });
    return this.deps.charger.charge(order, request.paymentToken);
  }

  /** Undefined when there is no such order or it is another customer's (the same to them). */
  async findCustomerOrder(customerId: string, id: string): Promise<Order | undefined> {
    return this.deps.repository.findCustomerOrder(customerId, id);
  }

  /** A customer's orders, newest first; `after` is the last order of the previous page. */
  async listOrders(customerId: string, limit: number, after?: OrderCursor): Promise<OrderPage> {
    return this.deps.repository.listByCustomer(customerId, limit, after);
  }

  /**
   * Finishes an order that an earlier request under the same Idempotency-Key stored but did
   * not settle: charges it again (same payment key) if it is still pending, or reports how it
   * was settled meanwhile (e.g. by reconcile). Undefined when the order no longer exists.
   */
  async resumeOrder(id: string, paymentToken: string): Promise<Order | undefined> {
    const order = await this.deps.repository.findById(id);
    if (!order || order.status !== "pending") return order;
    return this.deps.charger.charge(order, paymentToken);
  }

  /** 503 before anything is stored: an order that cannot be charged now is not taken. */
  private ensureCanCharge(): void {
    try {
      this.deps.charger.ensureCanCharge();
    } catch (error) {
      throw new ServiceUnavailableError(
        "payment-service",
        "The payment service is unavailable; nothing was stored, retry later",
        retryAfterSecondsOf(error),
        { cause: error },
      );
    }
  }

  private async lookUpProducts(ids: readonly string[]): Promise<Map<string, Product>> {
    const unique = [...new Set(ids)];
    // One deadline and one cancellation for all lookups of this order: the first failure
    // decides the answer, so its siblings stop at once instead of retrying (and spending the
    // retry budget) for an answer that was already sent.
    const firstFailure = new AbortController();
    const signal = AbortSignal.any([
      firstFailure.signal,
      AbortSignal.timeout(this.deps.productDeadlineMs),
    ]);
    let found: (Product | undefined)[];
    try {
      found = await Promise.all(
        unique.map((id) =>
          this.deps.productCatalog.getProduct(id, signal).catch((error: unknown) => {
            firstFailure.abort(error);
            throw error;
          }),
        ),
      );
    } catch (error) {
      this.deps.logger.warn({ err: error }, "product lookup failed");
      throw new ServiceUnavailableError(
        "product-service",
        "The product service is unavailable",
        retryAfterSecondsOf(error),
        { cause: error },
      );
    }
    const missing = unique.filter((_, index) => found[index] === undefined);
    if (missing.length > 0) throw new ProductNotFoundError(missing);
    return new Map(found.map((product) => [product!.id, product!]));
  }
}
