// The problem answers (application/problem+json, RFC 9457) as shared responses: one component
// per status, referenced by every operation that can answer it and by the unmatched-request
// rule, each with the headers that come with it and examples of the service's real problems.
import { problems } from "./examples";
import {
  rateLimitHeaders,
  replayedHeader,
  requestIdHeader,
  retryAfterHeader,
  wwwAuthenticateHeader,
} from "./headers";
import type { Example, Header, JsonSchema, Reference, Response } from "./openapi-types";
import { schemaRef } from "./zod-json-schema";

export const PROBLEM_JSON = "application/problem+json";

const anyOf = (...ids: string[]): JsonSchema => ({ anyOf: ids.map((id) => schemaRef(id)) });

function problemResponse(
  description: string,
  schema: JsonSchema,
  examples: Readonly<Record<string, Example>>,
  headers: Readonly<Record<string, Header>> = {},
): Response {
  return {
    description,
    headers: { "X-Request-Id": requestIdHeader, ...rateLimitHeaders(false), ...headers },
    content: { [PROBLEM_JSON]: { schema: schema, examples } },
  };
}

export const problemResponses = {
  BadRequest: problemResponse(
    "The request is invalid: a field of the body, query or path (every one listed), the " +
      "JSON itself, or the Idempotency-Key header.",
    anyOf("ValidationProblem", "Problem"),
    {
      validation: problems.validation,
      malformedJson: problems.malformedJson,
      badIdempotencyKey: problems.badIdempotencyKey,
    },
  ),
  Unauthorized: problemResponse(
    "No bearer token, or one that is not valid (signature, issuer, audience, expiry, algorithm).",
    schemaRef("Problem"),
    { missingToken: problems.missingToken, invalidToken: problems.invalidToken },
    { "WWW-Authenticate": wwwAuthenticateHeader },
  ),
  PaymentDeclined: problemResponse(
    "The charge was declined; the order is stored as `payment_failed` (`orderId`).",
    schemaRef("PaymentDeclinedProblem"),
    { declined: problems.paymentDeclined },
    { "Idempotent-Replayed": replayedHeader },
  ),
  Forbidden: problemResponse(
    "`customerId` names another customer than the caller.",
    schemaRef("Problem"),
    { notTheCaller: problems.notTheCaller },
  ),
  NotFound: problemResponse(
    "No such order for the caller (another customer's order is not found either), or no such " +
      "route.",
    schemaRef("Problem"),
    { orderNotFound: problems.orderNotFound, noRoute: problems.noRoute },
  ),
  Conflict: problemResponse(
    "A request with the same Idempotency-Key is still being processed.",
    schemaRef("Problem"),
    { keyInUse: problems.keyInUse },
  ),
  ContentTooLarge: problemResponse("The request body is over 100 kB.", schemaRef("Problem"), {
    tooLarge: problems.tooLarge,
  }),
  UnsupportedMediaType: problemResponse(
    "The body is not `application/json`, or has a charset or content encoding the service " +
      "does not read.",
    schemaRef("Problem"),
    { notJson: problems.notJson },
  ),
  UnprocessableContent: problemResponse(
    "The order cannot be placed as sent: an unknown product (`productIds`), products in " +
      "several currencies, or an Idempotency-Key already used with another body.",
    anyOf("UnknownProductProblem", "Problem"),
    {
      unknownProduct: problems.unknownProduct,
      mixedCurrencies: problems.mixedCurrencies,
      keyReused: problems.keyReused,
    },
    { "Idempotent-Replayed": replayedHeader },
  ),
  TooManyRequests: problemResponse(
    "The caller is over its rate limit (per token subject, or per address without one).",
    schemaRef("RateLimitedProblem"),
    { rateLimited: problems.rateLimited },
    { "Retry-After": retryAfterHeader, ...rateLimitHeaders(true) },
  ),
  ServiceUnavailable: problemResponse(
    "A dependency is unavailable (product service, payment service breaker, database, the " +
      "identity provider's keys). Nothing was stored: a retry is safe.",
    schemaRef("Problem"),
    {
      productServiceDown: problems.productServiceDown,
      paymentServiceDown: problems.paymentServiceDown,
    },
    { "Retry-After": retryAfterHeader },
  ),
  InternalServerError: {
    description: "Unexpected; logged with its stack, which never reaches the client.",
    headers: { "X-Request-Id": requestIdHeader },
    content: {
      [PROBLEM_JSON]: {
        schema: schemaRef("Problem"),
        examples: { unexpected: problems.unexpected },
      },
    },
  },
} satisfies Record<string, Response>;

export type ProblemResponseName = keyof typeof problemResponses;

export function responseRef(name: ProblemResponseName): Reference {
  return { $ref: `#/components/responses/${name}` };
}
