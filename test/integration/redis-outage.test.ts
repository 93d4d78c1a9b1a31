import request from "supertest";
import { startTestStack, type TestStack } from "../support/test-stack";

describe("with Redis unreachable", () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, so every connection attempt is refused at once.
    stack = await startTestStack({ REDIS_URL: "redis://127.0.0.1:1/0" });
  });
  afterAll(() => stack.close());

  it("still places orders by looking products up directly", async () => {
    const started = Date.now();
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("c"))
      .send({ customerId: "c", items: [{ productId: "sku-mug", quantity: 1 }], paymentToken: "t" })
      .expect(201);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stays ready (200, degraded) with Redis down, since Redis is only a cache", async () => {
    const response = await request(stack.app).get("/health/ready").expect(200);
    expect(response.body.status).toBe("degraded");
    expect(response.body.checks).toMatchObject({
      postgres: { status: "up" },
      redis: { status: "down" },
    });
  });
});
