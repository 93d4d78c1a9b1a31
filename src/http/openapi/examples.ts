// Examples for the document. Problems are made by the service's own mapping (toProblemAnswer)
// from the errors the code throws, and the validation example by validating a bad body with the
// route's schema, so their types, titles and messages are the ones a client really gets. The
// linter and test/unit/openapi-document.test.ts validate every example against its schema.
import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../../errors";
import { encodeCursor } from "../../orders/cursor";
import type { Order } from "../../orders/order";
import { createOrderBody } from "../../orders/order-schemas";
import { HttpProblem, invalidFieldsOf, toProblemAnswer, ValidationProblem } from "../problem";
import type { Example } from "./openapi-types";

export const EXAMPLE_ORDER_ID = "0b7e3a52-6f1d-4c8e-9a2b-5d4c3e2f1a09";
const EXAMPLE_REQUEST_ID = "5e0c1f7a-2b3d-4e5f-8a9b-0c1d2e3f4a5b";

const example = (summary: string, value: unknown): Example => ({ summary, value });

export const orderRequestExamples = {
  twoProducts: example("Two products, the caller as customer", {
    items: [
      { productId: "sku-mug", quantity: 2 },
      { productId: "sku-kettle", quantity: 1 },
    ],
    paymentToken: "tok_visa",
  }),
};

const order = (status: Order["status"], updatedAt: string): Order => ({
  id: EXAMPLE_ORDER_ID,
  customerId: "customer-1",
  status,
  totalCents: 2 * 1450 + 5900,
  currency: "USD",
  items: [
    { productId: "sku-mug", quantity: 2, unitPriceCents: 1450 },
    { productId: "sku-kettle", quantity: 1, unitPriceCents: 5900 },
  ],
  createdAt: "2026-05-04T09:30:00.000Z",
  updatedAt,
});

export const paidOrder = example("Charged", order("paid", "2026-05-04T09:30:00.412Z"));
export const pendingOrder = example(
  "Stored, the charge could not complete: the reconciler settles it",
  order("pending", "2026-05-04T09:30:00.000Z"),
);

export const orderPage = example("A last page", {
  orders: [order("paid", "2026-05-04T09:30:00.412Z")],
  nextCursor: null,
});
export const orderPageWithMore = example("More orders follow", {
  orders: [order("paid", "2026-05-04T09:30:00.412Z")],
  nextCursor: encodeCursor({ createdAt: "2026-05-04T09:30:00.000000Z", id: EXAMPLE_ORDER_ID }),
});

const problem = (summary: string, error: unknown): Example =>
  example(summary, { ...toProblemAnswer(error).problem, requestId: EXAMPLE_REQUEST_ID });

/** body-parser's errors carry a `type` that toProblemAnswer() maps. */
const bodyParserError = (type: string) => Object.assign(new Error(type), { type });

const invalidBody = createOrderBody.safeParse({ items: [], paymentToken: "" });

export const problems = {
  validation: problem(
    "Invalid fields (every one is listed)",
    new ValidationProblem(invalidBody.error ? invalidFieldsOf(invalidBody.error, "body") : []),
  ),
  malformedJson: problem("A body that is not JSON", bodyParserError("entity.parse.failed")),
  badIdempotencyKey: problem(
    "An unusable Idempotency-Key",
    new HttpProblem(400, "The Idempotency-Key header must be 1 to 255 characters"),
  ),
  missingToken: problem(
    "No token",
    new HttpProblem(
      401,
      "This request needs a bearer token (Authorization: Bearer <token>)",
      "missing-token",
    ),
  ),
  invalidToken: problem(
    "A token that is not valid",
    new HttpProblem(401, "The bearer token is not valid", "invalid-token"),
  ),
  paymentDeclined: problem("Declined", new PaymentDeclinedError(EXAMPLE_ORDER_ID)),
  notTheCaller: problem(
    "Another customer's id",
    new HttpProblem(
      403,
      "body.customerId must be the authenticated caller's own id (or left out)",
      "not-the-caller",
    ),
  ),
  orderNotFound: problem(
    "Unknown, or another customer's",
    new HttpProblem(404, `No order with id ${EXAMPLE_ORDER_ID}`),
  ),
  noRoute: problem("No such route", new HttpProblem(404, "No route for DELETE /orders")),
  keyInUse: problem(
    "The first request with this key is still running",
    new HttpProblem(
      409,
      "A request with this Idempotency-Key is still being processed; retry later",
      "idempotency-key-in-use",
    ),
  ),
  tooLarge: problem("Over 100 kB", bodyParserError("entity.too.large")),
  notJson: problem(
    "Not application/json",
    new HttpProblem(415, "The request body must be application/json"),
  ),
  unknownProduct: problem("Unknown product", new ProductNotFoundError(["sku-unknown"])),
  keyReused: problem(
    "The key was used with another body",
    new HttpProblem(
      422,
      "This Idempotency-Key was already used with a different request body",
      "idempotency-key-reused",
    ),
  ),
  mixedCurrencies: problem(
    "Products in several currencies",
    new OrderNotProcessableError("All products of one order must share a currency"),
  ),
  rateLimited: problem(
    "Over the quota",
    new HttpProblem(
      429,
      "Too many requests: the limit is 600 per 60 s; retry in 17 s",
      "rate-limited",
      { "violated-policies": ["per-caller"] },
    ),
  ),
  productServiceDown: problem(
    "The product service is unavailable",
    new ServiceUnavailableError("product-service", "The product service is unavailable", 5),
  ),
  paymentServiceDown: problem(
    "The payment breaker is open: nothing was stored",
    new ServiceUnavailableError(
      "payment-service",
      "The payment service is unavailable; nothing was stored, retry later",
      30,
    ),
  ),
  unexpected: problem("Anything unexpected", new Error("not shown to clients")),
};
