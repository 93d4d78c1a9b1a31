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
  beforeAll(async () => {
    stack = await startTestStack();
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
          let call = request(stack.app).post("/orders");
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
        expectSafeAnswer(await call, decodedPath(tail));
      }),
      RUNS,
    );
  });

  it("answers any GET /orders query string with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const response = await request(stack.app).get(`/orders?${query}`);
        expectSafeAnswer(response, decodedQuery(query));
      }),
      RUNS,
    );
  });

  it("answers any cursor of a real customer's listing with a safe answer below 500", async () => {
    await fc.assert(
      fc.asyncProperty(cursor, async (text) => {
        const response = await request(stack.app).get(
          `/orders?customerId=property-customer&cursor=${percentEncoded(text)}`,
        );
        expectSafeAnswer(response, [text]);
        if (response.status !== 200) expect(response.status).toBe(400);
      }),
      RUNS,
    );
  });
});
