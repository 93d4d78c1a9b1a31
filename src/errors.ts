// Domain and infrastructure failures, named for what went wrong rather than where.
// src/http/problem.ts is the one place that turns them into HTTP answers.

export class ProductNotFoundError extends Error {
  constructor(readonly productIds: readonly string[]) {
    super(`Unknown product(s): ${productIds.join(", ")}`);
    this.name = "ProductNotFoundError";
  }
}

export class OrderNotProcessableError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "OrderNotProcessableError";
  }
}

/** A backing service or upstream is down; the caller may retry after `retryAfterS` seconds. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    detail: string,
    readonly retryAfterS: number,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = "ServiceUnavailableError";
  }
}

export class PaymentDeclinedError extends Error {
  constructor(readonly orderId: string) {
    super("The payment was declined");
    this.name = "PaymentDeclinedError";
  }
}
