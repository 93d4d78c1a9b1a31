// The headers of the contract. The rules behind them live in middleware that checks them with
// code, not with a zod schema (src/http/idempotency-key.ts, request-id.ts, rate-limit.ts), so
// these schemas restate them: test/unit/openapi-headers.test.ts holds the Idempotency-Key one to
// the code, and the contract tests hold every header of every answer to these.
import type { Header, Parameter } from "./openapi-types";

/** Printable ASCII, 1..255 characters: what idempotencyKeyOf() accepts. */
export const IDEMPOTENCY_KEY_SCHEMA = {
  type: "string",
  minLength: 1,
  maxLength: 255,
  pattern: "^[\\x20-\\x7e]*$",
} as const;

/** What assignRequestId() keeps of an incoming id; anything else is replaced by a UUID. */
const REQUEST_ID_PATTERN = "^[\\w.:@/+=-]{1,128}$";
const SF_STRING = '"(?:[^"\\\\]|\\\\.)*"';

export const idempotencyKeyParameter: Parameter = {
  name: "Idempotency-Key",
  in: "header",
  description:
    "Makes the request safe to retry (IETF httpapi Idempotency-Key draft): the same key with " +
    "the same body answers the first answer again (with `Idempotent-Replayed: true`); with " +
    "another body 422; while the first is still running 409. Keys are the caller's own and " +
    "expire (IDEMPOTENCY_TTL_S, 24 h by default). An unusable key is a 400.",
  required: false,
  schema: IDEMPOTENCY_KEY_SCHEMA,
  example: "3f2b8c1e-checkout-42",
};

export const requestIdParameter: Parameter = {
  name: "X-Request-Id",
  in: "header",
  description:
    "Names the request in the answer and in every log line; kept when it matches " +
    `\`${REQUEST_ID_PATTERN}\`, replaced by a fresh UUID otherwise (never refused).`,
  required: false,
  // Any value is taken (an unusable one is replaced), the empty one included.
  schema: { type: "string", minLength: 0 },
  example: "req-42",
};

const header = (description: string, required: boolean, schema: Header["schema"]): Header => ({
  description,
  required,
  schema,
});

export const requestIdHeader = header(
  "The request's id: the incoming X-Request-Id when usable, a fresh UUID otherwise.",
  true,
  { type: "string", pattern: REQUEST_ID_PATTERN },
);

export const locationHeader = header("Where the order can be read again.", true, {
  type: "string",
  pattern: "^/orders/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
});

export const retryAfterHeader = header("Seconds to wait before retrying.", true, {
  type: "string",
  pattern: "^[0-9]+$",
});

/** On every answer under /orders once the rate limiter counted the request. */
export const rateLimitHeaders = (required: boolean): Record<string, Header> => ({
  RateLimit: header(
    "The caller's remaining quota `r` and the seconds `t` until the window resets " +
      "(draft-ietf-httpapi-ratelimit-headers, section 4.1). Left out when the shared counter " +
      "(Redis) is unavailable and the limiter lets requests through uncounted.",
    required,
    { type: "string", pattern: `^${SF_STRING};r=[0-9]+;t=[0-9]+$` },
  ),
  "RateLimit-Policy": header(
    "The quota `q` per window of `w` seconds (draft-ietf-httpapi-ratelimit-headers, " +
      "section 3.1).",
    required,
    { type: "string", pattern: `^${SF_STRING};q=[0-9]+;w=[0-9]+$` },
  ),
});

export const wwwAuthenticateHeader = header(
  'The bearer challenge (RFC 6750 section 3): `error="invalid_token"` when a token came and ' +
    "was refused, no error code when none came.",
  true,
  { type: "string", pattern: '^Bearer realm="orders"(, error="invalid_token")?$' },
);

export const replayedHeader = header(
  "Present when this is the stored answer to an earlier request with the same Idempotency-Key.",
  false,
  { type: "string", enum: ["true"] },
);

export const noStoreHeader = header("Probe answers are never cached.", true, {
  type: "string",
  enum: ["no-store"],
});
