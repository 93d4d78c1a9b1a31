// Placing an order (DESIGN.md "Domain"): look up products, store the order as pending,
// charge it, settle it. Every failure after the insert leaves a pending order that keeps
// its payment token, so nothing a customer asked for is lost and `reconcile` can finish it.
import { randomUUID } from "node:crypto";
import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../errors";
import type { Product, ProductCatalog } from "../clients/product-catalog";
import type { Logger } from "../infra/logger";
import type { IdempotencyClaim } from "../idempotency/idempotency-store";
import type { Order, OrderLine, OrderRequest } from "./order";
import type { OrderCursor } from "./cursor";
import type { OrderPage, OrderRepository } from "./order-repository";
import { retryAfterSecondsOf } from "../clients/upstream-errors";
import type { PendingOrderCharger } from "./pending-order-charger";

export interface OrderServiceDependencies {
  readonly repository: OrderRepository;
  readonly productCatalog: ProductCatalog;
  readonly charger: PendingOrderCharger;
  readonly logger: Logger;
}

export class OrderService {
  constructor(private readonly deps: OrderServiceDependencies) {}

  /** Resolves with the paid order; rejects with a domain error for every other outcome. */
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

  async findOrder(id: string): Promise<Order | undefined> {
    return this.deps.repository.findById(id);
  }

  /** A customer's orders, newest first; `after` is the last order of the previous page. */
  async listOrders(customerId: string, limit: number, after?: OrderCursor): Promise<OrderPage> {
    return this.deps.repository.listByCustomer(customerId, limit, after);
  }

  /**
   * Finishes an order that an earlier request stored (its answer was 503): charges it again
   * if it is still pending, or reports how it was settled meanwhile (e.g. by reconcile).
   * Undefined when the order no longer exists.
   */
  async resumeOrder(id: string, paymentToken: string): Promise<Order | undefined> {
    const order = await this.deps.repository.findById(id);
    if (!order) return undefined;
    if (order.status === "pending") return this.deps.charger.charge(order, paymentToken);
    if (order.status === "payment_failed") throw new PaymentDeclinedError(order.id);
    return order;
  }

  private async lookUpProducts(ids: readonly string[]): Promise<Map<string, Product>> {
    const unique = [...new Set(ids)];
    let found: (Product | undefined)[];
    try {
      found = await Promise.all(unique.map((id) => this.deps.productCatalog.getProduct(id)));
    } catch (error) {
      this.deps.logger.warn({ err: error }, "product lookup failed");
      throw new ServiceUnavailableError(
        "product-service",
        "The product service is unavailable",
        retryAfterSecondsOf(error),
        undefined,
        { cause: error },
      );
    }
    const missing = unique.filter((_, index) => found[index] === undefined);
    if (missing.length > 0) throw new ProductNotFoundError(missing);
    return new Map(found.map((product) => [product!.id, product!]));
  }
}
