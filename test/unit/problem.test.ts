import {
  OrderNotProcessableError,
  PaymentDeclinedError,
  ProductNotFoundError,
  ServiceUnavailableError,
} from "../../src/errors";
import { HttpProblem, toProblemAnswer, ValidationProblem } from "../../src/http/problem";

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
    expect(toProblemAnswer(new ProductNotFoundError(["a", "b"])).problem).toMatchObject({
      status: 422,
      productIds: ["a", "b"],
    });
    expect(toProblemAnswer(new OrderNotProcessableError("mixed currencies")).problem.status).toBe(
      422,
    );
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
    ["entity.parse.failed", 400],
    ["entity.too.large", 413],
    ["encoding.unsupported", 415],
    ["charset.unsupported", 415],
  ])("maps the body parser's %s to %i", (type, status) => {
    const error = Object.assign(new Error("raw parser message with body bytes"), { type });
    const answer = toProblemAnswer(error);
    expect(answer.problem.status).toBe(status);
    expect(answer.problem.detail).not.toContain("raw parser message");
  });

  it("maps a database connection failure to 503 rather than 500", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    const answer = toProblemAnswer(refused);
    expect(answer.problem.status).toBe(503);
    expect(answer.problem.detail).toBe("The database is unavailable");
    expect(answer.headers["Retry-After"]).toBeDefined();
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
