import request from "supertest";
import { startTestStack, type TestStack } from "../support/test-stack";

const order = (productId = "sku-mug") => ({
  customerId: "resilience",
  items: [{ productId, quantity: 1 }],
  paymentToken: "tok_visa",
});

describe("payment circuit breaker, through the API", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      BREAKER_FAILURE_THRESHOLD: "3",
      BREAKER_RESET_TIMEOUT_MS: "1500",
      BREAKER_SUCCESS_THRESHOLD: "2",
    });
  });
  afterAll(() => stack.close());

  async function orderCount(): Promise<number> {
    const { rows } = await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders");
    return rows[0]!.n;
  }

  it("opens after exactly BREAKER_FAILURE_THRESHOLD failures, then fails fast without calling payments or storing anything", async () => {
    stack.payments.faults.update({ errorRate: 1, errorStatus: 502 });
    for (let i = 0; i < 3; i += 1)
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("resilience"))
        .send(order())
        .expect(202);
    const callsWhenOpen = stack.payments.faults.calls;
    const ordersWhenOpen = await orderCount();

    const started = Date.now();
    const refused = await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order())
      .expect(503);
    expect(Date.now() - started).toBeLessThan(500);
    expect(stack.payments.faults.calls).toBe(callsWhenOpen);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(2);
    expect(refused.body).not.toHaveProperty("orderId");
    expect(await orderCount()).toBe(ordersWhenOpen);
  });

  it("shows the open breaker on /health/ready but stays ready", async () => {
    const ready = await request(stack.app).get("/health/ready").expect(200);
    expect(ready.body.breakers["payment-service"]).toBe("open");
  });

  it("logs the opening once, at warn, with the breaker's name", () => {
    const openings = stack.logs.entries.filter((e) => e.msg === "circuit breaker open");
    expect(openings).toEqual([
      expect.objectContaining({ level: "warn", breaker: "payment-service", to: "open" }),
    ]);
  });

  it("closes again after the reset timeout and BREAKER_SUCCESS_THRESHOLD successful trials", async () => {
    stack.payments.faults.reset();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order())
      .expect(201);
    let ready = await request(stack.app).get("/health/ready").expect(200);
    expect(ready.body.breakers["payment-service"]).toBe("half-open");
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order())
      .expect(201);
    ready = await request(stack.app).get("/health/ready").expect(200);
    expect(ready.body.breakers["payment-service"]).toBe("closed");
    expect(stack.logs.entries.filter((e) => e.msg === "circuit breaker closed")).toHaveLength(1);
  });

  it("does not count declines against the breaker", async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("resilience"))
        .send({ ...order(), paymentToken: "tok_decline" })
        .expect(402);
    }
    const ready = await request(stack.app).get("/health/ready").expect(200);
    expect(ready.body.breakers["payment-service"]).toBe("closed");
  });
});

describe("product lookups with retries", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      RETRY_MAX_ATTEMPTS: "3",
      PRODUCT_TIMEOUT_MS: "200",
      BREAKER_FAILURE_THRESHOLD: "50",
    });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.products.faults.reset());

  it("retries failed lookups and then places the order", async () => {
    stack.products.faults.update({ failNext: 2, errorStatus: 503 });
    const before = stack.products.faults.calls;
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-espresso-beans"))
      .expect(201);
    expect(stack.products.faults.calls - before).toBe(3);
  });

  it("answers 503 + Retry-After after RETRY_MAX_ATTEMPTS attempts when the product service stays down", async () => {
    stack.products.faults.update({ errorRate: 1, errorStatus: 500 });
    const before = stack.products.faults.calls;
    const started = Date.now();
    const response = await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-scale"))
      .expect(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stack.products.faults.calls - before).toBe(3);
    // The product service said nothing about when: the default, DEFAULT_RETRY_AFTER_S.
    expect(response.headers["retry-after"]).toBe("5");
  });

  it("cuts a hanging product service off at PRODUCT_TIMEOUT_MS per attempt", async () => {
    stack.products.faults.update({ latencyMs: 5000 });
    const started = Date.now();
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-kettle"))
      .expect(503);
    // 3 attempts x 200 ms + backoff (base 20 ms, max 200 ms in the test stack)
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("answers 422 for an unknown product without retrying", async () => {
    const before = stack.products.faults.calls;
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-unknown"))
      .expect(422);
    expect(stack.products.faults.calls - before).toBe(1);
  });

  it("serves a stale cached product when the product service is down, and says so in the log", async () => {
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-tamper"))
      .expect(201);
    const key = "product:sku-tamper";
    const entry = JSON.parse((await stack.redis.get(key))!);
    await stack.redis.set(key, JSON.stringify({ ...entry, storedAt: entry.storedAt - 3_600_000 }));
    stack.products.faults.update({ errorRate: 1, errorStatus: 503 });
    const response = await request(stack.app)
      .post("/orders")
      .set(await stack.as("resilience"))
      .send(order("sku-tamper"))
      .expect(201);
    expect(response.body.items[0].unitPriceCents).toBe(2200);
    expect(stack.logs.entries).toContainEqual(
      expect.objectContaining({
        msg: "product service unavailable; serving a stale cached product",
        productId: "sku-tamper",
      }),
    );
  });
});
