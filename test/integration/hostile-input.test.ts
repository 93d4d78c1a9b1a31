// Inputs that once reached Postgres or the product service and answered 500: each one must
// now be a 400 problem that says which field (or header) is wrong.
import request from "supertest";
import { expectSafeAnswer } from "../support/safe-answers";
import { startTestStack, type TestStack } from "../support/test-stack";

const order = (overrides: Record<string, unknown> = {}) => ({
  customerId: "hostile-customer",
  items: [{ productId: "sku-mug", quantity: 1 }],
  paymentToken: "tok_visa",
  ...overrides,
});

const cursorWithTime = (t: string) =>
  Buffer.from(JSON.stringify({ t, i: "7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a" })).toString(
    "base64url",
  );

const fieldsOf = (response: request.Response) =>
  (response.body.errors as { field: string }[]).map((e) => e.field);

describe("hostile input", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  describe("POST /orders", () => {
    it.each([
      ["customerId holds a NUL byte", { customerId: "c\u0000" }, "body.customerId"],
      ["paymentToken holds a NUL byte", { paymentToken: "tok\u0000" }, "body.paymentToken"],
      ["paymentToken holds a C1 control", { paymentToken: "tok\u0085" }, "body.paymentToken"],
      [
        'a productId is "." (the product collection)',
        { items: [{ productId: ".", quantity: 1 }] },
        "body.items.0.productId",
      ],
      [
        'a productId is ".." (the product service root)',
        { items: [{ productId: "..", quantity: 1 }] },
        "body.items.0.productId",
      ],
    ])("answers 400, never 500, when %s", async (_what, overrides, field) => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("hostile-customer"))
        .send(order(overrides));
      expectSafeAnswer(response);
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual([field]);
    });

    it("stores nothing for a body it rejects", async () => {
      const count = async () =>
        (await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")).rows[0]!.n;
      const before = await count();
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("hostile-customer"))
        .send(order({ customerId: "c\u0000", paymentToken: "tok\u0000" }))
        .expect(400);
      expect(await count()).toBe(before);
    });

    it.each([
      ["a tab inside it", "key\twith-tab"],
      ["a Latin-1 letter", "caf\u00e9"],
    ])("answers 400 for an Idempotency-Key with %s", async (_what, key) => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("hostile-customer"))
        .set("Idempotency-Key", key)
        .send(order());
      expectSafeAnswer(response);
      expect(response.status).toBe(400);
      expect(response.body.detail).toMatch(/Idempotency-Key/);
    });
  });

  describe("GET /orders", () => {
    it("answers 400, never 500, when the customerId query parameter holds a NUL byte", async () => {
      const response = await request(stack.app)
        .get("/orders?customerId=c%00")
        .set(await stack.as("hostile-customer"));
      expectSafeAnswer(response);
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(["query.customerId"]);
    });

    it.each([
      ["an impossible date", "2024-13-45T99:99:99.000000Z"],
      ["the 30th of February", "2024-02-30T10:00:00.000000Z"],
      ["year 0", "0000-01-01T00:00:00.000000Z"],
    ])("answers 400, never 500, for a tampered cursor with %s", async (_what, t) => {
      const response = await request(stack.app)
        .get("/orders")
        .set(await stack.as("hostile-customer"))
        .query({ customerId: "hostile-customer", cursor: cursorWithTime(t) });
      expectSafeAnswer(response);
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(["query.cursor"]);
    });
  });

  describe("GET /orders/:id", () => {
    it.each(["%", "%E0%A4%A", "%zz", "%C0%AF"])(
      "answers 400, never 500, for the malformed percent-encoding %s",
      async (id) => {
        const response = await request(stack.app)
          .get(`/orders/${id}`)
          .set(await stack.as("hostile-customer"));
        expectSafeAnswer(response);
        expect(response.status).toBe(400);
      },
    );
  });

  describe("Authorization", () => {
    // Hostile credentials stop at the edge: a 401 problem, never a 5xx, never logged.
    const jwtOf = async () =>
      (await stack.as("hostile-customer")).Authorization.replace(/^Bearer /, "");
    it.each<[string, (jwt: string) => string]>([
      ["garbage", () => "garbage"],
      ["another scheme", () => "Basic aG9zdGlsZTpjdXN0b21lcg=="],
      ['"Bearer " alone', () => "Bearer "],
      ["a bearer of spaces and a tab", () => "Bearer   \t  "],
      ["a 10 kB token", () => `Bearer ${"a".repeat(10 * 1024)}`],
      ["a 10 kB token shaped like a JWT", (jwt) => `Bearer ${jwt}${"A".repeat(10 * 1024)}`],
      [
        "a real token with a tab inside it",
        (jwt) => `Bearer ${jwt.slice(0, 20)}\t${jwt.slice(20)}`,
      ],
      [
        "a real token with a Latin-1 letter inside it",
        (jwt) => `Bearer ${jwt.slice(0, 20)}\u00e9${jwt.slice(20)}`,
      ],
      ["a JSON fragment", () => 'Bearer ","level":60,"msg":"forged'],
      ["three dots", () => "Bearer ..."],
      ["an empty signature", (jwt) => `Bearer ${jwt.slice(0, jwt.lastIndexOf(".") + 1)}`],
    ])("answers 401 problem+json, never 500, for %s", async (_what, header) => {
      const value = header(await jwtOf());
      const response = await request(stack.app)
        .post("/orders")
        .set("Authorization", value)
        .send(order());
      expectSafeAnswer(response);
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="orders"/);
      const credential = value.replace(/^\S+ +/, "");
      if (credential.trim().length >= 8) expect(stack.logs.text).not.toContain(credential);
    });

    it("stores nothing for a request it refuses", async () => {
      const count = async () =>
        (await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")).rows[0]!.n;
      const before = await count();
      await request(stack.app)
        .post("/orders")
        .set("Authorization", "Bearer x")
        .send(order())
        .expect(401);
      expect(await count()).toBe(before);
    });
  });

  describe("X-Request-Id", () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

    it("echoes a plain incoming id", async () => {
      const response = await request(stack.app)
        .get("/orders/not-a-uuid")
        .set(await stack.as("hostile-customer"))
        .set("X-Request-Id", "req-42:retry/1");
      expect(response.headers["x-request-id"]).toBe("req-42:retry/1");
      expect(response.body.requestId).toBe("req-42:retry/1");
    });

    it.each([
      ["129 characters", "r".repeat(129)],
      ["a 4 kB value", "r".repeat(4096)],
      ["spaces and quotes", 'a "forged" id'],
      ["a JSON fragment", '","level":60,"msg":"forged'],
      ["a tab", "req\tid"],
      ["a Latin-1 letter", "caf\u00e9"],
      ["HTML", "<script>alert(1)</script>"],
    ])(
      "replaces an incoming id with %s by a fresh UUID, in the answer and the logs",
      async (_what, hostile) => {
        const response = await request(stack.app)
          .get("/orders/not-a-uuid")
          .set(await stack.as("hostile-customer"))
          .set("X-Request-Id", hostile);
        expect(response.status).toBe(400);
        expect(response.headers["x-request-id"]).toMatch(UUID);
        expect(response.body.requestId).toBe(response.headers["x-request-id"]);
        expect(stack.logs.text).not.toContain(hostile);
        expect(stack.logs.text).toContain(response.headers["x-request-id"]);
      },
    );
  });
});
