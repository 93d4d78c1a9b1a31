// What the order routes answer, as zod schemas the document is generated from. The routes build
// these bodies from the `Order` type, not from a schema; the checks at the bottom make the
// compiler refuse a schema that drifts from that type, and the contract tests validate every
// answer the service really gives against the generated document.
import { z } from "zod";
import { ORDER_STATUSES, type Order } from "../../orders/order";
import { identifier } from "../../orders/order-schemas";

const cents = (what: string) =>
  z
    .int()
    .min(0)
    .meta({ description: `${what}, in integer cents` });

export const orderLineAnswer = z
  .object({
    productId: identifier("productId"),
    quantity: z.int().min(1).max(100),
    unitPriceCents: cents("The product's price when the order was placed"),
  })
  .meta({ description: "One line of an order, priced when the order was placed." });

export const orderAnswer = z
  .object({
    id: z.uuid(),
    customerId: identifier("customerId"),
    status: z.enum(ORDER_STATUSES).meta({
      description:
        "`pending`: stored, not yet charged (the reconciler settles it); `paid`; " +
        "`payment_failed`: the charge was declined.",
    }),
    totalCents: cents("The sum of quantity x unit price over the lines"),
    // The orders table's CHECK constraint: an ISO 4217 code.
    currency: z.string().regex(/^[A-Z]{3}$/),
    items: z.array(orderLineAnswer).min(1).max(50),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ description: "An order as the API shows it; the payment token is never part of it." });

export const orderPageAnswer = z
  .object({
    orders: z.array(orderAnswer).meta({ description: "The caller's orders, newest first." }),
    nextCursor: z.string().nullable().meta({
      description: "Pass as `cursor` for the next page; null on the last page.",
    }),
  })
  .meta({ description: "One page of the caller's orders (keyset pagination)." });

/** Deeply readonly, as the domain types are. */
type Frozen<T> = T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Compile-time only: each fails `tsc` when the schema and the domain type part ways.
export const orderAnswerDescribesOrder: Same<
  Frozen<z.infer<typeof orderAnswer>>,
  Frozen<Order>
> = true;
export const orderLineAnswerDescribesOrderLine: Same<
  Frozen<z.infer<typeof orderLineAnswer>>,
  Frozen<Order["items"][number]>
> = true;
