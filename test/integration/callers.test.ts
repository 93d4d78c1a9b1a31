// Each customer sees and touches only their own orders and their own Idempotency-Keys.
import { randomUUID } from "node:crypto";
import request from "supertest";
import { startTestStack, type TestStack } from "../support/test-stack";

const items = [{ productId: "sku-mug", quantity: 1 }];
const orderBody = (overrides: Record<string, unknown> = {}) => ({
  items,
  paymentToken: "tok_visa",
  ...overrides,
});

describe("callers and their orders", () => {
  let stack: TestStack;
  let other: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    // A second replica on the same database and identity provider.
    other = await startTestStack({}, stack);
  });
  afterAll(async () => {
    await other.close();
    await stack.close();
  });

  /** POST /orders as `as`, expecting `status`. */
  async function place(status: number, as: string, body = orderBody(), key?: string) {
    const call = request(stack.app)
      .post("/orders")
      .set(await stack.as(as));
    if (key) call.set("Idempotency-Key", key);
    return call.send(body).expect(status);
  }

  it("places the order for the caller when the body names no customer", async () => {
    const response = await place(201, "alice");
    expect(response.body.customerId).toBe("alice");
  });

  it("accepts a body customerId that is the caller's own", async () => {
    const response = await place(201, "alice", orderBody({ customerId: "alice" }));
    expect(response.body.customerId).toBe("alice");
  });

  it("answers 403 for a body customerId that is someone else's, and stores nothing", async () => {
    const before = await stack.pool.query("SELECT count(*)::int AS n FROM orders");
    const response = await place(403, "alice", orderBody({ customerId: "bob" }));
    expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 403,
      type: "https://problems.order-service.dev/not-the-caller",
    });
    const after = await stack.pool.query("SELECT count(*)::int AS n FROM orders");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("answers 404 for another customer's order, exactly as for one that does not exist", async () => {
    const { body: bobs } = await place(201, "bob");
    await request(stack.app)
      .get(`/orders/${bobs.id}`)
      .set(await stack.as("bob"))
      .expect(200);
    const stranger = await request(stack.app)
      .get(`/orders/${bobs.id}`)
      .set(await stack.as("alice"))
      .expect(404);
    const missing = await request(stack.app)
      .get(`/orders/${randomUUID()}`)
      .set(await stack.as("alice"))
      .expect(404);
    const shape = (body: Record<string, unknown>) => ({ ...body, detail: "", requestId: "" });
    expect(shape(stranger.body)).toEqual(shape(missing.body));
  });

  it("lists only the caller's orders", async () => {
    await place(201, "carol");
    await place(201, "dave");
    const { body } = await request(stack.app)
      .get("/orders")
      .set(await stack.as("carol"))
      .expect(200);
    expect(body.orders.length).toBeGreaterThan(0);
    expect(body.orders.every((order: { customerId: string }) => order.customerId === "carol")).toBe(
      true,
    );
  });

  it("lists with customerId = the caller, and answers 403 for anyone else's", async () => {
    await request(stack.app)
      .get("/orders?customerId=carol")
      .set(await stack.as("carol"))
      .expect(200);
    const response = await request(stack.app)
      .get("/orders?customerId=dave")
      .set(await stack.as("carol"))
      .expect(403);
    expect(response.body).toMatchObject({ status: 403 });
  });

  describe("Idempotency-Keys are the caller's own", () => {
    it("gives two customers using the same key string two orders", async () => {
      const key = `shared-${randomUUID()}`;
      const first = await place(201, "erin", orderBody(), key);
      const second = await place(201, "frank", orderBody(), key);
      expect(second.headers["idempotent-replayed"]).toBeUndefined();
      expect(second.body.id).not.toBe(first.body.id);
      expect([first.body.customerId, second.body.customerId]).toEqual(["erin", "frank"]);
    });

    it("does not let a customer squat on another's key, or learn that it is taken", async () => {
      const key = `squat-${randomUUID()}`;
      // Mallory claims the key first, with another body...
      await place(402, "mallory", orderBody({ paymentToken: "tok_decline" }), key);
      // ...and Grace, sending it later, is not told 422 (reused) or 409 (in use).
      const grace = await place(201, "grace", orderBody(), key);
      expect(grace.body.customerId).toBe("grace");
    });

    it("replays a caller's own key on another replica", async () => {
      const key = `replica-${randomUUID()}`;
      const first = await place(201, "heidi", orderBody(), key);
      const replay = await request(other.app)
        .post("/orders")
        .set(await other.as("heidi"))
        .set("Idempotency-Key", key)
        .send(orderBody())
        .expect(201);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.body).toEqual(first.body);
    });

    it("treats a body with or without the caller's customerId as the same request", async () => {
      const key = `same-${randomUUID()}`;
      const first = await place(201, "ivan", orderBody(), key);
      const again = await place(201, "ivan", orderBody({ customerId: "ivan" }), key);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.body.id).toBe(first.body.id);
    });

    it("keeps one record per customer and key in the database", async () => {
      const key = `rows-${randomUUID()}`;
      await place(201, "judy", orderBody(), key);
      await place(201, "ken", orderBody(), key);
      const { rows } = await stack.pool.query(
        "SELECT customer_id FROM idempotency_keys WHERE key = $1 ORDER BY customer_id",
        [key],
      );
      expect(rows).toEqual([{ customer_id: "judy" }, { customer_id: "ken" }]);
    });
  });
});
