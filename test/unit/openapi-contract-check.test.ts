// The check every integration test's answers go through (test/support/contract-check.ts): it
// must refuse what the document does not allow, or the suite would pass on undocumented answers.
import { buildOpenApiDocument } from "../../src/http/openapi/openapi-document";
import type { OpenApiDocument, Operation } from "../../src/http/openapi/openapi-types";
import { ContractChecker, type Exchange } from "../support/contract-check";
import { OperationMatcher } from "../support/contract-operation-matcher";

const checker = new ContractChecker(buildOpenApiDocument({ version: "0.0.0-test" }));

const ORDER_ID = "7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a";
const paidOrder = {
  id: ORDER_ID,
  customerId: "customer-1",
  status: "paid",
  totalCents: 2900,
  currency: "USD",
  items: [{ productId: "sku-mug", quantity: 2, unitPriceCents: 1450 }],
  createdAt: "2026-05-04T09:30:00.000Z",
  updatedAt: "2026-05-04T09:30:00.412Z",
};
const notFound = {
  type: "about:blank",
  title: "Not Found",
  status: 404,
  detail: "No route for PUT /nowhere",
  requestId: "req-1",
};

function exchange(overrides: Partial<Exchange> & { json?: unknown } = {}): Exchange {
  const { json = paidOrder, headers, ...rest } = overrides;
  return {
    method: "POST",
    path: "/orders",
    status: 201,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-request-id": "req-1",
      location: `/orders/${ORDER_ID}`,
      ...headers,
    },
    body: JSON.stringify(json),
    ...rest,
  };
}

describe("the contract check", () => {
  it("passes an answer the document describes", () => {
    expect(checker.violation(exchange())).toBeUndefined();
  });

  it("fails a status the document does not list for the operation, naming the ones it does", () => {
    expect(checker.violation(exchange({ status: 200 }))).toBe(
      "OpenAPI contract: POST /orders answered 200, a status the document does not list for it " +
        "(it lists 201, 202, 400, 401, 402, 403, 409, 413, 415, 422, 429, 500, 503)",
    );
  });

  it("fails a body that does not match the schema (an order that leaks its payment token)", () => {
    const violation = checker.violation(
      exchange({ json: { ...paidOrder, paymentToken: "tok_visa" } }),
    );
    expect(violation).toMatch(/POST \/orders answered 201, not as documented/);
    expect(violation).toMatch(/body must NOT have additional properties/);
  });

  it("fails a body that misses a member, and names every mismatch at once", () => {
    const withoutTotal: Partial<typeof paidOrder> = { ...paidOrder };
    delete withoutTotal.totalCents;
    const violation = checker.violation(
      exchange({ json: { ...withoutTotal, status: "shipped", createdAt: "yesterday" } }),
    );
    expect(violation).toMatch(/must have required property 'totalCents'/);
    expect(violation).toMatch(/body\/status must be equal to one of the allowed values/);
    expect(violation).toMatch(/body\/createdAt must match format "date-time"/);
  });

  it("fails a body that is not JSON where JSON is documented", () => {
    expect(checker.violation({ ...exchange(), body: "<html>" })).toMatch(/the body is not JSON/);
  });

  it("fails a content type the document does not give the answer", () => {
    expect(
      checker.violation(exchange({ headers: { "content-type": "text/html; charset=utf-8" } })),
    ).toMatch(
      /the content type text\/html; charset=utf-8 is not documented \(application\/json is\)/,
    );
  });

  it("fails an answer without a required header", () => {
    expect(checker.violation(exchange({ headers: { location: undefined } }))).toMatch(
      /the required header Location is missing/,
    );
  });

  it("fails a documented header of the wrong shape", () => {
    expect(checker.violation(exchange({ headers: { location: "/elsewhere" } }))).toMatch(
      /the header "\/elsewhere": Location must match pattern/,
    );
  });

  it("fails a problem without the members RFC 9457 and the service promise", () => {
    const withoutRequestId: Partial<typeof notFound> = { ...notFound };
    delete withoutRequestId.requestId;
    const violation = checker.violation(
      exchange({
        method: "GET",
        path: `/orders/${ORDER_ID}`,
        status: 404,
        headers: { "content-type": "application/problem+json; charset=utf-8" },
        json: withoutRequestId,
      }),
    );
    expect(violation).toMatch(/must have required property 'requestId'/);
  });

  describe("finds the operation as Express routes the request", () => {
    const order = (method: string, path: string) =>
      checker.violation(exchange({ method, path, status: 200 }));

    it.each([
      ["a query string", `/orders/${ORDER_ID}?full=1`],
      ["a trailing slash", `/orders/${ORDER_ID}/`],
      ["another case", `/ORDERS/${ORDER_ID}`],
    ])("with %s", (_what, path) => {
      expect(order("GET", path)).toBeUndefined();
    });

    it("prefers a concrete path to a template, as OpenAPI asks", () => {
      const operation = (operationId: string) => ({ operationId }) as unknown as Operation;
      const matcher = new OperationMatcher({
        paths: {
          "/orders/{id}": { get: operation("getOrder") },
          "/orders/export": { get: operation("export") },
        },
      } as unknown as OpenApiDocument);
      expect(matcher.match("GET", "/orders/export")?.operation.operationId).toBe("export");
      expect(matcher.match("GET", "/orders/x")?.operation.operationId).toBe("getOrder");
      expect(matcher.match("DELETE", "/orders/x")).toBeUndefined();
    });

    it("answers HEAD with the GET operation, without a body", () => {
      expect(
        checker.violation({
          ...exchange({ method: "HEAD", path: `/orders/${ORDER_ID}`, status: 200 }),
          body: "",
        }),
      ).toBeUndefined();
    });
  });

  describe("holds a method and path the document does not list to x-unmatched-requests", () => {
    const unmatched = (status: number, json: unknown) =>
      checker.violation(
        exchange({
          method: "PUT",
          path: "/nowhere",
          status,
          headers: { "content-type": "application/problem+json; charset=utf-8" },
          json,
        }),
      );

    it("passes the 404 problem", () => {
      expect(unmatched(404, notFound)).toBeUndefined();
    });

    it("fails any other answer", () => {
      expect(unmatched(200, notFound)).toMatch(
        /PUT \/nowhere \(no such operation: held to x-unmatched-requests\) answered 200, a status the document does not list/,
      );
    });
  });
});
