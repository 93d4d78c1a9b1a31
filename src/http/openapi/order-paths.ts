// The order operations (src/http/order-routes.ts and the middleware in front of it in app.ts).
// Every status is one the code can answer: authentication and the rate limiter run first on
// every /orders request (401, 429, 503 while the identity provider's keys are unavailable), the
// JSON body parser runs before every route, even one that takes no body (400, 413, 415), and
// the database can fail any of them (503).
import { createOrderBody, listOrdersQuery, orderIdParams } from "../../orders/order-schemas";
import {
  EXAMPLE_ORDER_ID,
  orderPage,
  orderPageWithMore,
  orderRequestExamples,
  paidOrder,
  pendingOrder,
} from "./examples";
import {
  idempotencyKeyParameter,
  locationHeader,
  rateLimitHeaders,
  replayedHeader,
  requestIdHeader,
} from "./headers";
import type { Example, JsonSchema, PathItem, Reference, Response } from "./openapi-types";
import { responseRef, type ProblemResponseName } from "./problem-responses";
import { parametersOf, schemaRef } from "./zod-json-schema";

const REQUEST_ID_PARAMETER: Reference = { $ref: "#/components/parameters/RequestId" };

function jsonResponse(
  description: string,
  schema: JsonSchema,
  examples: Readonly<Record<string, Example>>,
  headers: Response["headers"] = {},
): Response {
  return {
    description,
    headers: { "X-Request-Id": requestIdHeader, ...rateLimitHeaders(false), ...headers },
    content: { "application/json": { schema, examples } },
  };
}

function problems(
  ...entries: readonly (readonly [status: number, name: ProblemResponseName])[]
): Record<string, Reference> {
  return Object.fromEntries(entries.map(([status, name]) => [String(status), responseRef(name)]));
}

/** What any /orders request may be answered, whatever its route (see the comment on top). */
const answersOfEveryOrderRoute = [
  [400, "BadRequest"],
  [401, "Unauthorized"],
  [413, "ContentTooLarge"],
  [415, "UnsupportedMediaType"],
  [429, "TooManyRequests"],
  [500, "InternalServerError"],
  [503, "ServiceUnavailable"],
] as const;

const placedOrderHeaders = { Location: locationHeader, "Idempotent-Replayed": replayedHeader };

export function orderPaths(): Record<string, PathItem> {
  return {
    "/orders": {
      get: {
        operationId: "listOrders",
        summary: "List the caller's orders",
        description:
          "Newest first, keyset-paginated: pass `nextCursor` back as `cursor` for the next " +
          "page. Query parameters not listed here are a 400.",
        tags: ["orders"],
        parameters: [
          ...parametersOf(listOrdersQuery, "query", {
            customerId: "Optional: when sent it must be the caller (403 otherwise).",
            limit: "Orders per page.",
            cursor: "`nextCursor` of the previous page; anything else is a 400.",
          }),
          REQUEST_ID_PARAMETER,
        ],
        responses: {
          "200": jsonResponse("A page of the caller's orders.", schemaRef("OrderPage"), {
            lastPage: orderPage,
            morePages: orderPageWithMore,
          }),
          ...problems(...answersOfEveryOrderRoute, [403, "Forbidden"]),
        },
      },
      post: {
        operationId: "placeOrder",
        summary: "Place an order",
        description:
          "Looks up every product, stores the order as `pending`, charges it (the order id " +
          "is the payment's Idempotency-Key, so a retried charge never charges twice) and " +
          "answers with the order. Nothing is stored when the product service is unavailable " +
          "or the payment breaker is open (503). With an Idempotency-Key, a retry gets the " +
          "first answer again (201, 202, 402 and 422 are stored; a 5xx is not).",
        tags: ["orders"],
        parameters: [idempotencyKeyParameter, REQUEST_ID_PARAMETER],
        requestBody: {
          description:
            "`customerId` may be left out (the caller is the customer); when sent it must be " +
            "the caller (403 otherwise). No string may hold a control character.",
          required: true,
          content: {
            "application/json": {
              schema: schemaRef("CreateOrderRequest"),
              examples: orderRequestExamples,
            },
          },
        },
        responses: {
          "201": jsonResponse(
            "Stored and paid.",
            schemaRef("Order"),
            { paid: paidOrder },
            placedOrderHeaders,
          ),
          "202": jsonResponse(
            "Stored, but the charge could not complete (payment service error or timeout, or " +
              "the breaker opened meanwhile): the order stays `pending` and the reconciler " +
              "settles it with the same payment Idempotency-Key. No Retry-After: a retry " +
              "without the Idempotency-Key would place a second order.",
            schemaRef("Order"),
            { pending: pendingOrder },
            placedOrderHeaders,
          ),
          ...problems(
            ...answersOfEveryOrderRoute,
            [402, "PaymentDeclined"],
            [403, "Forbidden"],
            [409, "Conflict"],
            [422, "UnprocessableContent"],
          ),
        },
      },
    },
    "/orders/{id}": {
      get: {
        operationId: "getOrder",
        summary: "Read one of the caller's orders",
        description: "Another customer's order is not found (404): a 403 would confirm it exists.",
        tags: ["orders"],
        parameters: [
          ...parametersOf(
            orderIdParams,
            "path",
            { id: "The order's id." },
            { id: EXAMPLE_ORDER_ID },
          ),
          REQUEST_ID_PARAMETER,
        ],
        responses: {
          "200": jsonResponse("The order.", schemaRef("Order"), { paid: paidOrder }),
          ...problems(...answersOfEveryOrderRoute, [404, "NotFound"]),
        },
      },
    },
  };
}

/** The request schemas the order operations refer to by name (converted as a client sends them). */
export const orderRequestSchemas = { CreateOrderRequest: createOrderBody };
