import request from "supertest";
import { TEST_PAYMENT_API_KEY } from "../support/fake-upstreams";
import { startTestStack, type TestStack } from "../support/test-stack";

describe("request ids and logs", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ LOG_LEVEL: "debug" });
  });
  afterAll(() => stack.close());

  it("echoes a sane incoming X-Request-Id and puts it on every log line of the request", async () => {
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("c"))
      .set("X-Request-Id", "trace-abc-123")
      .send({
        customerId: "c",
        items: [{ productId: "sku-mug", quantity: 1 }],
        paymentToken: "tok",
      })
      .expect(201)
      .expect("x-request-id", "trace-abc-123");
    const lines = stack.logs.entries.filter((entry) => entry.reqId === "trace-abc-123");
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "request completed", res: { statusCode: 201 } }),
    );
  });

  it("replaces an unsafe incoming X-Request-Id with a fresh UUID", async () => {
    const response = await request(stack.app)
      .get("/orders/not-a-uuid")
      .set(await stack.as("c"))
      .set("X-Request-Id", "x".repeat(500));
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.requestId).toBe(response.headers["x-request-id"]);
  });

  it("never writes the payment token, the API key or the authorization header", async () => {
    const secretToken = "tok_super_secret_card_4242";
    const caller = await stack.as("c");
    const jwt = caller.Authorization.replace(/^Bearer /, "");
    stack.payments.faults.update({ failNext: 1, errorStatus: 500 });
    await request(stack.app)
      .post("/orders")
      .set(caller)
      .send({
        customerId: "c",
        items: [{ productId: "sku-mug", quantity: 1 }],
        paymentToken: secretToken,
      })
      .expect(202);
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("c"))
      .send({
        customerId: "c",
        items: [{ productId: "nope", quantity: 1 }],
        paymentToken: secretToken,
      })
      .expect(422);
    // Refused credentials are not written either: a made-up one, and the real token tampered.
    const tampered = `${jwt.slice(0, -4)}AAAA`;
    for (const refused of ["client-credential-xyz", tampered]) {
      await request(stack.app)
        .post("/orders")
        .set("Authorization", `Bearer ${refused}`)
        .send({ items: [{ productId: "sku-mug", quantity: 1 }], paymentToken: secretToken })
        .expect(401);
    }
    expect(stack.logs.lines.length).toBeGreaterThan(0);
    expect(stack.logs.text).not.toContain(secretToken);
    expect(stack.logs.text).not.toContain(TEST_PAYMENT_API_KEY);
    expect(stack.logs.text).not.toContain("client-credential-xyz");
    for (const line of stack.logs.lines) {
      expect(line).not.toContain(caller.Authorization);
      expect(line).not.toContain(jwt);
      expect(line).not.toContain(tampered);
    }
  });

  it("logs 5xx answers at error with the cause under err, and 4xx at warn", async () => {
    stack.products.faults.update({ errorRate: 1, errorStatus: 500 });
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("c"))
      .set("X-Request-Id", "failing-one")
      .send({
        customerId: "c",
        items: [{ productId: "sku-tamper", quantity: 1 }],
        paymentToken: "t",
      })
      .expect(503);
    stack.products.faults.reset();
    await request(stack.app)
      .get("/orders/bad")
      .set(await stack.as("c"))
      .set("X-Request-Id", "bad-one")
      .expect(400);
    const completed = (id: string) =>
      stack.logs.entries.find((entry) => entry.reqId === id && entry.res !== undefined);
    expect(completed("failing-one")).toMatchObject({
      level: "error",
      err: { type: "ServiceUnavailableError" },
    });
    expect(completed("bad-one")).toMatchObject({ level: "warn" });
  });

  it("does not log probe requests, even with a query string", async () => {
    const before = stack.logs.lines.length;
    await request(stack.app).get("/health/live").expect(200);
    await request(stack.app).get("/health/ready?full=1").expect(200);
    await request(stack.app).get("/health/startup").expect(200);
    expect(stack.logs.lines.slice(before)).toEqual([]);
  });
});

describe("probes", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it("answers /health/ready 200 with per-check detail when Postgres and Redis are up", async () => {
    const response = await request(stack.app).get("/health/ready").expect(200);
    expect(response.body).toEqual({
      status: "ok",
      checks: {
        postgres: { status: "up", durationMs: expect.any(Number) },
        redis: { status: "up", durationMs: expect.any(Number) },
      },
      breakers: { "product-service": "closed", "payment-service": "closed" },
    });
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("answers /health/live 200 without touching any dependency", async () => {
    await request(stack.app).get("/health/live").expect(200, { status: "ok" });
  });

  it("answers 503 on /health/ready and Connection: close on every answer once shutdown begins", async () => {
    stack.lifecycle.beginShutdown();
    const ready = await request(stack.app).get("/health/ready").expect(503);
    expect(ready.body).toEqual({ status: "shutting-down" });
    const live = await request(stack.app).get("/health/live").expect(200);
    expect(live.headers.connection).toBe("close");
  });
});
