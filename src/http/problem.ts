// RFC 9457 problem details: the single place where any error becomes an HTTP answer.
// Only what is written here reaches a client; stacks and driver messages stay in the logs.
import { STATUS_CODES } from "node:http";
import type { z } from "zod";
import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../errors";
import { ClaimLostError } from "../idempotency/idempotency-store";
import { isDatabaseUnavailable } from "../infra/postgres";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export interface ProblemAnswer {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /** Unexpected failures are logged with their stack; expected ones are not errors of ours. */
  readonly unexpected: boolean;
}

/** Thrown by handlers for plain HTTP failures (bad id, unsupported media type, ...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly slug?: string,
    readonly members: Record<string, unknown> = {},
    /** Headers the answer must carry (WWW-Authenticate on a 401, Retry-After on a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
  }
}

export interface InvalidField {
  readonly field: string;
  readonly message: string;
}

export class ValidationProblem extends HttpProblem {
  constructor(readonly errors: readonly InvalidField[]) {
    super(
      400,
      `The request has ${errors.length} invalid field(s): ${errors.map((e) => e.field).join(", ")}`,
      "validation-error",
      { errors },
    );
  }
}

export function invalidFieldsOf(error: z.ZodError, location: string): InvalidField[] {
  return error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

// About the time a database failover or restart takes.
const DATABASE_RETRY_AFTER_S = 5;
const PROBLEM_BASE = "https://problems.order-service.dev/";

function problemOf(status: number, detail: string, slug?: string, members = {}): Problem {
  return {
    type: slug ? PROBLEM_BASE + slug : "about:blank",
    title: STATUS_CODES[status] ?? "Error",
    status,
    detail,
    ...members,
  };
}

function expected(problem: Problem, headers: Readonly<Record<string, string>> = {}): ProblemAnswer {
  return { problem, headers, unexpected: false };
}

// body-parser marks its errors with `type` and an HTTP status; their messages are safe.
// A Map, not an object literal: a `type` of "constructor" or "toString" must find nothing.
const BODY_PARSER_ANSWERS: ReadonlyMap<string, readonly [number, string]> = new Map([
  ["entity.parse.failed", [400, "The request body is not valid JSON"]],
  ["entity.too.large", [413, "The request body is larger than the limit"]],
  ["encoding.unsupported", [415, "The request body's content encoding is not supported"]],
  ["charset.unsupported", [415, "The request body's charset is not supported"]],
  ["request.aborted", [400, "The request was aborted before its body arrived"]],
]);

function bodyParserAnswer(error: unknown): ProblemAnswer | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type !== "string") return undefined;
  const known = BODY_PARSER_ANSWERS.get(type);
  return known ? expected(problemOf(known[0], known[1])) : undefined;
}

export function toProblemAnswer(error: unknown): ProblemAnswer {
  if (error instanceof HttpProblem) {
    return expected(
      problemOf(error.status, error.detail, error.slug, error.members),
      error.headers,
    );
  }
  if (error instanceof ClaimLostError) {
    return expected(
      problemOf(
        409,
        "A retry of this request with the same Idempotency-Key has taken over",
        "idempotency-key-in-use",
      ),
    );
  }
  if (error instanceof ProductNotFoundError) {
    return expected(
      problemOf(422, error.message, "unknown-product", { productIds: error.productIds }),
    );
  }
  if (error instanceof OrderNotProcessableError) {
    return expected(problemOf(422, error.message, "order-not-processable"));
  }
  if (error instanceof PaymentDeclinedError) {
    return expected(problemOf(402, error.message, "payment-declined", { orderId: error.orderId }));
  }
  if (error instanceof ServiceUnavailableError) {
    return expected(problemOf(503, error.message, "dependency-unavailable"), {
      "Retry-After": String(error.retryAfterS),
    });
  }
  if (isDatabaseUnavailable(error)) {
    return expected(problemOf(503, "The database is unavailable", "dependency-unavailable"), {
      "Retry-After": String(DATABASE_RETRY_AFTER_S),
    });
  }
  const fromBodyParser = bodyParserAnswer(error);
  if (fromBodyParser) return fromBodyParser;
  // The router could not percent-decode a path parameter (e.g. `/orders/%zz`).
  if (error instanceof URIError) {
    return expected(problemOf(400, "The request path is not valid percent-encoding"));
  }
  return {
    problem: problemOf(500, "An unexpected error occurred; it has been logged"),
    headers: {},
    unexpected: true,
  };
}
