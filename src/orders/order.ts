export const ORDER_STATUSES = ["pending", "paid", "payment_failed"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** An order as the API shows it (the payment token is never part of it). */
export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: readonly OrderLine[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderRequest {
  readonly customerId: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly paymentToken: string;
}
