import request from "supertest";
import { TcpProxy } from "../support/tcp-proxy";
import { startTestStack, type TestStack } from "../support/test-stack";

/** The same database, reached through `proxy` (which a test can cut). */
function viaProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.port = String(proxy.port);
  return url.href;
}

const order = (overrides: Record<string, unknown> = {}) => ({
  customerId: "customer-1",
  items: [
    { productId: "sku-mug", quantity: 2 },
    { productId: "sku-kettle", quantity: 1 },
  ],
  paymentToken: "tok_visa",
  ...overrides,
});

describe("orders API", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.products.faults.reset();
    stack.payments.faults.reset();
  });

  describe("POST /orders", () => {
    it("stores, charges and answers 201 with the paid order", async () => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        customerId: "customer-1",
        status: "paid",
        totalCents: 2 * 1450 + 5900,
        currency: "USD",
        items: [
          { productId: "sku-mug", quantity: 2, unitPriceCents: 1450 },
          { productId: "sku-kettle", quantity: 1, unitPriceCents: 5900 },
        ],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(response.headers.location).toBe(`/orders/${response.body.id}`);
      const stored = await stack.pool.query(
        "SELECT status, payment_token, payment_id FROM orders WHERE id = $1",
        [response.body.id],
      );
      expect(stored.rows[0]).toMatchObject({ status: "paid", payment_token: null });
      expect(stored.rows[0].payment_id).toMatch(/^ch_/);
    });

    it("charges with the order id as Idempotency-Key", async () => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(201);
      const charges = (await fetch(`${stack.payments.url}/_charges`).then((r) => r.json())) as {
        charges: unknown[];
      };
      expect(charges.charges).toContainEqual(
        expect.objectContaining({ idempotencyKey: response.body.id, orderId: response.body.id }),
      );
    });

    it("answers 402 with the order id and marks the order payment_failed when declined", async () => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order({ paymentToken: "tok_decline" }))
        .expect(402)
        .expect("content-type", /application\/problem\+json/);
      const stored = await request(stack.app)
        .get(`/orders/${response.body.orderId}`)
        .set(await stack.as("customer-1"))
        .expect(200);
      expect(stored.body.status).toBe("payment_failed");
    });

    it("answers 202 with the pending order and its Location, and no Retry-After, when the charge fails", async () => {
      stack.payments.faults.update({ failNext: 1, errorStatus: 503 });
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(202);
      expect(response.headers["retry-after"]).toBeUndefined();
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({ status: "pending", totalCents: 2 * 1450 + 5900 });
      expect(response.headers.location).toBe(`/orders/${response.body.id}`);
      const stored = await stack.pool.query(
        "SELECT status, payment_token FROM orders WHERE id = $1",
        [response.body.id],
      );
      expect(stored.rows[0]).toEqual({ status: "pending", payment_token: "tok_visa" });
      // The pending order as it was written (lines, total, timestamps) is what its Location reads.
      const found = await request(stack.app)
        .get(response.headers.location!)
        .set(await stack.as("customer-1"))
        .expect(200);
      expect(found.body).toEqual(response.body);
    });

    it("answers 202 with the pending order when the payment service hangs past PAYMENT_TIMEOUT_MS", async () => {
      stack.payments.faults.update({ latencyMs: 3000 });
      const started = Date.now();
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(202);
      expect(Date.now() - started).toBeLessThan(2500);
      expect(response.body.status).toBe("pending");
    });

    it("answers 202, not 502, when the payment service refuses the request itself", async () => {
      stack.payments.faults.update({ failNext: 1, errorStatus: 401 });
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(202);
      expect(response.body.status).toBe("pending");
    });

    it("answers 202 with the pending order when the charge succeeded but the database then failed", async () => {
      const proxy = await TcpProxy.start("127.0.0.1", 5432);
      const replica = await startTestStack(
        { DATABASE_URL: viaProxy(stack.database.url, proxy) },
        stack,
      );
      try {
        stack.payments.faults.update({ latencyMs: 400 });
        const answer = request(replica.app)
          .post("/orders")
          .set(await replica.as("customer-1"))
          .send(order())
          .then((r) => r);
        // The order is stored within milliseconds; the database goes away during the charge.
        await new Promise((resolve) => setTimeout(resolve, 150));
        proxy.cut("refuse");
        const response = await answer;
        expect(response.status).toBe(202);
        expect(response.body.status).toBe("pending");
        const stored = await stack.pool.query(
          "SELECT status, payment_token FROM orders WHERE id = $1",
          [response.body.id],
        );
        expect(stored.rows[0]).toEqual({ status: "pending", payment_token: "tok_visa" });
      } finally {
        proxy.restore();
        await replica.close();
        await proxy.close();
      }
    });

    it("answers 422 naming every unknown product, and stores nothing", async () => {
      const before = await stack.pool.query("SELECT count(*)::int AS n FROM orders");
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(
          order({
            items: [
              { productId: "sku-mug", quantity: 1 },
              { productId: "nope", quantity: 1 },
              { productId: "nada", quantity: 1 },
            ],
          }),
        )
        .expect(422);
      expect(response.body.productIds).toEqual(["nope", "nada"]);
      const after = await stack.pool.query("SELECT count(*)::int AS n FROM orders");
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it("answers 503 + Retry-After when the product service is down, and stores nothing", async () => {
      stack.products.faults.update({ errorRate: 1, errorStatus: 500 });
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order({ items: [{ productId: "sku-scale", quantity: 1 }] }))
        .expect(503);
      expect(response.headers["retry-after"]).toBe("5");
      expect(response.body).toMatchObject({
        status: 503,
        type: "https://problems.order-service.dev/dependency-unavailable",
      });
      expect(response.body.orderId).toBeUndefined();
    });

    it("uses a cached product when it was looked up recently", async () => {
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order({ items: [{ productId: "sku-tamper", quantity: 1 }] }))
        .expect(201);
      const callsBefore = stack.products.faults.calls;
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order({ items: [{ productId: "sku-tamper", quantity: 3 }] }))
        .expect(201);
      expect(stack.products.faults.calls).toBe(callsBefore);
    });

    it.each([
      ["malformed JSON", "{not json", 400, "The request body is not valid JSON"],
      ["a JSON array", "[1,2]", 400, undefined],
      ["a JSON string", '"order"', 400, undefined],
    ])("answers %s with a 400 problem", async (_what, body, status, detail) => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .set("content-type", "application/json")
        .send(body)
        .expect(status)
        .expect("content-type", /application\/problem\+json/);
      if (detail) expect(response.body.detail).toBe(detail);
      expect(response.body.requestId).toEqual(expect.any(String));
    });

    it("answers wrong types with 400 listing every invalid field", async () => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send({ customerId: 1, items: [{ productId: "sku-mug", quantity: "2" }] })
        .expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([
        "body.customerId",
        "body.items.0.quantity",
        "body.paymentToken",
      ]);
    });

    it("answers an empty items list with 400", async () => {
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order({ items: [] }))
        .expect(400);
      expect(response.body.errors).toEqual([
        { field: "body.items", message: "items must hold at least 1 item" },
      ]);
    });

    it("answers a body over 100 kB with 413", async () => {
      const huge = order({ customerId: "x".repeat(101 * 1024) });
      const response = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(huge)
        .expect(413);
      expect(response.body.title).toBe("Payload Too Large");
    });

    it("answers a non-JSON content type with 415", async () => {
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .set("content-type", "text/plain")
        .send("customerId=1")
        .expect(415);
    });
  });

  describe("GET /orders/:id", () => {
    it("answers 200 with the order", async () => {
      const created = await request(stack.app)
        .post("/orders")
        .set(await stack.as("customer-1"))
        .send(order())
        .expect(201);
      const found = await request(stack.app)
        .get(`/orders/${created.body.id}`)
        .set(await stack.as("customer-1"))
        .expect(200);
      expect(found.body).toEqual(created.body);
    });

    it("answers 404 for an unknown id", async () => {
      const response = await request(stack.app)
        .get("/orders/7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a")
        .set(await stack.as("customer-1"))
        .expect(404)
        .expect("content-type", /application\/problem\+json/);
      expect(response.body.status).toBe(404);
    });

    it("answers 400, never 500, for a malformed id", async () => {
      const response = await request(stack.app)
        .get("/orders/not-a-uuid")
        .set(await stack.as("customer-1"))
        .expect(400);
      expect(response.body.errors[0].field).toBe("params.id");
    });
  });

  describe("GET /orders?customerId=", () => {
    const customerId = "paging-customer";
    let created: string[];
    beforeAll(async () => {
      created = [];
      for (let i = 0; i < 5; i += 1) {
        const response = await request(stack.app)
          .post("/orders")
          .set(await stack.as(customerId))
          .send(order({ customerId }))
          .expect(201);
        created.push(response.body.id);
      }
    });

    it("pages newest first with an opaque cursor until nextCursor is null", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { customerId, limit: "2" };
        if (cursor) query.cursor = cursor;
        const response = await request(stack.app)
          .get("/orders")
          .set(await stack.as(customerId))
          .query(query)
          .expect(200);
        seen.push(...response.body.orders.map((o: { id: string }) => o.id));
        cursor = response.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...created].reverse());
    });

    it("returns only that customer's orders", async () => {
      const response = await request(stack.app)
        .get("/orders")
        .set(await stack.as("nobody"))
        .query({ customerId: "nobody" })
        .expect(200);
      expect(response.body).toEqual({ orders: [], nextCursor: null });
    });

    it("lists the caller's own orders when customerId is left out (no longer a 400)", async () => {
      const response = await request(stack.app)
        .get("/orders")
        .set(await stack.as(customerId))
        .query({ limit: "5" })
        .expect(200);
      expect(response.body.orders.map((o: { id: string }) => o.id)).toEqual([...created].reverse());
      expect(response.body.nextCursor).toBeNull();
    });

    it.each([
      [{ customerId, limit: "0" }, "query.limit"],
      [{ customerId, limit: "101" }, "query.limit"],
      [{ customerId, cursor: "garbage" }, "query.cursor"],
    ])("answers 400 for %j", async (query, field) => {
      const response = await request(stack.app)
        .get("/orders")
        .set(await stack.as(customerId))
        .query(query)
        .expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  it("answers an authenticated caller's unknown route with a 404 problem", async () => {
    const response = await request(stack.app)
      .delete("/orders")
      .set(await stack.as("customer-1"))
      .expect(404)
      .expect("content-type", /application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: "Not Found" });
  });
});
