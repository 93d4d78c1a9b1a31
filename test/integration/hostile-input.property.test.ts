// DESIGN.md "Domain": no client input can cause a 500, and no stack trace or driver message
// reaches a client. fast-check throws generated requests at the real app (real Postgres,
// Redis and fake upstreams, none of them faulty, so no 5xx is legitimate) and shrinks any
// failure to a small request; its report carries the seed that replays it.
import { parse as parseQuery } from "node:querystring";
import fc from "fast-check";
import request from "supertest";
import {
  bodyPayload,
  contentType,
  cursor,
  headerValue,
  HOSTILE_CALLER,
  hostileAuthorization,
  orderPathTail,
  percentEncoded,
  queryString,
} from "../support/hostile-arbitraries";
import { expectSafeAnswer, stringsOf } from "../support/safe-answers";
import { startTestStack, type TestStack } from "../support/test-stack";

// Enough to find what the hand-written cases missed, few enough for a small shared machine.
const RUNS = { numRuns: 200 };

/** The strings a body carries (its members, if it is JSON): all of them may be echoed back. */
function sentStrings(payload: string | Buffer): string[] {
  const text = payload.toString();
  try {
    return [text, ...stringsOf(JSON.parse(text))];
  } catch {
    return [text];
  }
}

/** What a query string decodes to on the server: all of it may be echoed back. */
const decodedQuery = (query: string) => stringsOf({ ...parseQuery(query) });

function decodedPath(tail: string): string[] {
  try {
    return [tail, decodeURIComponent(tail)];
  } catch {
    return [tail];
  }
}

describe("hostile input (property-based)", () => {
  let stack: TestStack;
  // A valid token: the hostile part of each request must get past authentication.
  let caller: { Authorization: string };
  beforeAll(async () => {
    stack = await startTestStack();
    caller = await stack.as(HOSTILE_CALLER);
  });
  afterAll(() => stack.close());

  it("answers any POST /orders body and headers with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyPayload,
        contentType,
        fc.option(headerValue, { freq: 2 }),
        fc.option(headerValue, { freq: 2 }),
        async (payload, type, idempotencyKey, requestId) => {
          let call = request(stack.app).post("/orders").set(caller);
          if (type !== undefined) call = call.set("Content-Type", type);
          if (idempotencyKey !== null) call = call.set("Idempotency-Key", idempotencyKey);
          if (requestId !== null) call = call.set("X-Request-Id", requestId);
          const response = await call.send(payload);
          expectSafeAnswer(response, [
            ...sentStrings(payload),
            ...(idempotencyKey === null ? [] : [idempotencyKey]),
          ]);
        },
      ),
      RUNS,
    );
  });

  it("answers any GET /orders/<anything> with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(orderPathTail, fc.constantFrom("GET", "DELETE"), async (tail, method) => {
        const path = `/orders/${tail}`;
        const call =
          method === "GET" ? request(stack.app).get(path) : request(stack.app).delete(path);
        expectSafeAnswer(await call.set(caller), decodedPath(tail));
      }),
      RUNS,
    );
  });

  it("answers any GET /orders query string with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const response = await request(stack.app).get(`/orders?${query}`).set(caller);
        expectSafeAnswer(response, decodedQuery(query));
      }),
      RUNS,
    );
  });

  it("answers any cursor of a real customer's listing with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(cursor, async (text) => {
        const response = await request(stack.app)
          .get(`/orders?customerId=${HOSTILE_CALLER}&cursor=${percentEncoded(text)}`)
          .set(caller);
        expectSafeAnswer(response, [text]);
        if (response.status !== 200) expect(response.status).toBe(400);
      }),
      RUNS,
    );
  });

  it("answers any Authorization header but a valid token with a 401 problem, never a 5xx", async () => {
    const realToken = caller.Authorization.slice("Bearer ".length);
    await fc.assert(
      fc.asyncProperty(
        hostileAuthorization(realToken),
        fc.constantFrom("GET /orders", "POST /orders", "GET /orders/{id}"),
        async (authorization, route) => {
          const call =
            route === "POST /orders"
              ? request(stack.app)
                  .post("/orders")
                  .send({
                    items: [{ productId: "sku-mug", quantity: 1 }],
                    paymentToken: "tok_visa",
                  })
              : request(stack.app).get(
                  route === "GET /orders"
                    ? "/orders"
                    : "/orders/7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a",
                );
          const response = await call.set("Authorization", authorization);
          expectSafeAnswer(response, [authorization]);
          expect(response.status).toBe(401);
        },
      ),
      RUNS,
    );
  });
});
