// Placing an order (DESIGN.md "Domain"): look up products, store the order as pending,
// charge it, settle it. Every failure after the insert leaves a pending order that keeps
// its payment token, so nothing a customer asked for is lost and `reconcile` can finish it.
import { randomUUID } from "node:crypto";
import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  PaymentRejectedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../errors";
import type { PaymentGateway } from "../clients/payment-gateway";
import { PaymentRequestRejectedError } from "../clients/payment-gateway";
import type { Product, ProductCatalog } from "../clients/product-catalog";
import type { Logger } from "../infra/logger";
import type { Order, OrderLine, OrderRequest } from "./order";
import type { OrderRepository } from "./order-repository";

/** How long a client should wait before retrying when an upstream failed without saying. */
export const DEFAULT_RETRY_AFTER_S = 5;

export interface OrderServiceDependencies {
  readonly repository: OrderRepository;
  readonly productCatalog: ProductCatalog;
  readonly paymentGateway: PaymentGateway;
  readonly logger: Logger;
}

export class OrderService {
  constructor(private readonly deps: OrderServiceDependencies) {}

  /** Resolves with the paid order; rejects with a domain error for every other outcome. */
  async placeOrder(request: OrderRequest, idempotencyKey?: string): Promise<Order> {
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
      idempotencyKey,
    });
    return this.chargePending(order, request.paymentToken);
  }

  async findOrder(id: string): Promise<Order | undefined> {
    return this.deps.repository.findById(id);
  }

  /**
   * Finishes an order that an earlier request stored (its answer was 503): charges it again
   * if it is still pending, or reports how it was settled meanwhile (e.g. by reconcile).
   * Undefined when the order no longer exists.
   */
  async resumeOrder(id: string, paymentToken: string): Promise<Order | undefined> {
    const order = await this.deps.repository.findById(id);
    if (!order) return undefined;
    if (order.status === "pending") return this.chargePending(order, paymentToken);
    if (order.status === "payment_failed") throw new PaymentDeclinedError(order.id);
    return order;
  }

  /** Charges a stored pending order (idempotent at the payment service) and settles it. */
  async chargePending(order: Order, paymentToken: string): Promise<Order> {
    let outcome;
    try {
      outcome = await this.deps.paymentGateway.charge({
        orderId: order.id,
        amountCents: order.totalCents,
        currency: order.currency,
        token: paymentToken,
      });
    } catch (error) {
      if (error instanceof PaymentRequestRejectedError) {
        this.deps.logger.error({ err: error, orderId: order.id }, "payment request rejected");
        throw new PaymentRejectedError(error.status, order.id);
      }
      this.deps.logger.warn(
        { err: error, orderId: order.id },
        "payment unavailable; order kept pending",
      );
      throw new ServiceUnavailableError(
        "payment-service",
        "The payment service is unavailable; the order is stored as pending",
        retryAfterOf(error),
        order.id,
        { cause: error },
      );
    }
    if (outcome.outcome === "declined") {
      await this.deps.repository.settle(order.id, "payment_failed");
      throw new PaymentDeclinedError(order.id);
    }
    const settled = await this.deps.repository.settle(order.id, "paid", outcome.chargeId);
    return settled ?? order;
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
        retryAfterOf(error),
        undefined,
        { cause: error },
      );
    }
    const missing = unique.filter((_, index) => found[index] === undefined);
    if (missing.length > 0) throw new ProductNotFoundError(missing);
    return new Map(found.map((product) => [product!.id, product!]));
  }
}

function retryAfterOf(error: unknown): number {
  const fromUpstream = (error as { retryAfterS?: unknown } | null)?.retryAfterS;
  return typeof fromUpstream === "number" && fromUpstream > 0
    ? fromUpstream
    : DEFAULT_RETRY_AFTER_S;
}
