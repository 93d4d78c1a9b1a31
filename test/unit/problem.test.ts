import { STATUS_CODES } from "node:http";
import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../../src/errors";
import { HttpProblem, toProblemAnswer, ValidationProblem } from "../../src/http/problem";
import { ClaimLostError } from "../../src/idempotency/idempotency-store";

describe("problem+json mapping", () => {
  it("maps an unknown error to a 500 that reveals nothing of it", () => {
    const answer = toProblemAnswer(new Error('relation "orders" does not exist at pg/lib'));
    expect(answer.problem).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      detail: "An unexpected error occurred; it has been logged",
    });
    expect(answer.unexpected).toBe(true);
  });

  it("lists every invalid field of a validation problem", () => {
    const answer = toProblemAnswer(
      new ValidationProblem([
        { field: "body.customerId", message: "customerId must be a string" },
        { field: "body.items", message: "items must hold at least 1 item" },
      ]),
    );
    expect(answer.problem).toMatchObject({
      status: 400,
      title: "Bad Request",
      type: "https://problems.order-service.dev/validation-error",
      detail: "The request has 2 invalid field(s): body.customerId, body.items",
      errors: [
        { field: "body.customerId", message: "customerId must be a string" },
        { field: "body.items", message: "items must hold at least 1 item" },
      ],
    });
    expect(answer.unexpected).toBe(false);
  });

  it("answers 422 naming the unknown products", () => {
    expect(toProblemAnswer(new ProductNotFoundError(["a", "b"])).problem).toEqual({
      type: "https://problems.order-service.dev/unknown-product",
      title: "Unprocessable Entity",
      status: 422,
      detail: "Unknown product(s): a, b",
      productIds: ["a", "b"],
    });
  });

  it("answers 422 for an order it cannot process", () => {
    expect(toProblemAnswer(new OrderNotProcessableError("mixed currencies")).problem).toEqual({
      type: "https://problems.order-service.dev/order-not-processable",
      title: "Unprocessable Entity",
      status: 422,
      detail: "mixed currencies",
    });
  });

  it("answers 503 with Retry-After when a dependency is down", () => {
    const answer = toProblemAnswer(
      new ServiceUnavailableError("payment-service", "The payment service is unavailable", 7),
    );
    expect(answer.problem).toMatchObject({
      status: 503,
      type: "https://problems.order-service.dev/dependency-unavailable",
    });
    expect(answer.problem).not.toHaveProperty("orderId");
    expect(answer.headers).toEqual({ "Retry-After": "7" });
  });

  it("answers 402 with the order id for a declined payment", () => {
    expect(toProblemAnswer(new PaymentDeclinedError("o-2")).problem).toMatchObject({
      status: 402,
      orderId: "o-2",
      type: "https://problems.order-service.dev/payment-declined",
    });
  });

  it.each([
    ["entity.parse.failed", 400, "The request body is not valid JSON"],
    ["entity.too.large", 413, "The request body is larger than the limit"],
    ["encoding.unsupported", 415, "The request body's content encoding is not supported"],
    ["charset.unsupported", 415, "The request body's charset is not supported"],
    ["request.aborted", 400, "The request was aborted before its body arrived"],
  ])("maps the body parser's %s to %i, in words of its own", (type, status, detail) => {
    const error = Object.assign(new Error("raw parser message with body bytes"), { type });
    const answer = toProblemAnswer(error);
    expect(answer.problem).toEqual({
      type: "about:blank",
      title: STATUS_CODES[status],
      status,
      detail,
    });
    expect(answer.headers).toEqual({});
    expect(answer.unexpected).toBe(false);
  });

  it.each<[string, unknown]>([
    ["a type the body parser does not have", { type: "stream.not.readable" }],
    ["a type that is not a string", { type: ["entity.too.large"] }],
    ["a type naming a member every object has", { type: "constructor" }],
    ["null", null],
    ["undefined", undefined],
    ["a string", "boom"],
    ["a number", 42],
  ])("maps a thrown value with %s to a plain 500", (_what, thrown) => {
    const error = thrown !== null && typeof thrown === "object" ? { ...thrown } : thrown;
    expect(toProblemAnswer(error)).toEqual({
      problem: {
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        detail: "An unexpected error occurred; it has been logged",
      },
      headers: {},
      unexpected: true,
    });
  });

  it("answers 409 when a retry of the request took its Idempotency-Key over", () => {
    expect(toProblemAnswer(new ClaimLostError("key-1"))).toEqual({
      problem: {
        type: "https://problems.order-service.dev/idempotency-key-in-use",
        title: "Conflict",
        status: 409,
        detail: "A retry of this request with the same Idempotency-Key has taken over",
      },
      headers: {},
      unexpected: false,
    });
  });

  it("answers 400 for a path that is not valid percent-encoding", () => {
    expect(toProblemAnswer(new URIError("URI malformed"))).toEqual({
      problem: {
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        detail: "The request path is not valid percent-encoding",
      },
      headers: {},
      unexpected: false,
    });
  });

  it("names its own class", () => {
    expect(new HttpProblem(404, "No order with id x")).toMatchObject({
      name: "HttpProblem",
      message: "No order with id x",
    });
  });

  it("titles a status Node has no name for 'Error'", () => {
    expect(toProblemAnswer(new HttpProblem(599, "odd")).problem).toMatchObject({
      status: 599,
      title: "Error",
    });
  });

  it("keeps the slug, members and headers of an HttpProblem", () => {
    const answer = toProblemAnswer(
      new HttpProblem(429, "slow down", "rate-limited", { limit: 5 }, { "Retry-After": "3" }),
    );
    expect(answer).toEqual({
      problem: {
        type: "https://problems.order-service.dev/rate-limited",
        title: "Too Many Requests",
        status: 429,
        detail: "slow down",
        limit: 5,
      },
      headers: { "Retry-After": "3" },
      unexpected: false,
    });
  });

  it("maps a database connection failure to 503 rather than 500", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    const answer = toProblemAnswer(refused);
    expect(answer).toEqual({
      problem: {
        type: "https://problems.order-service.dev/dependency-unavailable",
        title: "Service Unavailable",
        status: 503,
        detail: "The database is unavailable",
      },
      headers: { "Retry-After": "5" },
      unexpected: false,
    });
  });

  it("keeps the status and detail of an explicit HttpProblem", () => {
    expect(toProblemAnswer(new HttpProblem(404, "No order with id x")).problem).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "No order with id x",
    });
  });
});
