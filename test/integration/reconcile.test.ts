import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { createPaymentClient } from "../../src/clients/payment-client";
import { createLogger } from "../../src/infra/logger";
import { OrderReconciler } from "../../src/orders/order-reconciler";
import { OrderRepository } from "../../src/orders/order-repository";
import { PendingOrderCharger } from "../../src/orders/pending-order-charger";
import { startTestStack, type TestStack } from "../support/test-stack";

describe("reconcile", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());
  afterEach(() => stack.payments.faults.reset());

  function reconciler(minAgeMs = 60_000) {
    const logger = createLogger({ level: "silent", stdout: false });
    const payment = createPaymentClient(stack.config, logger);
    const repository = new OrderRepository(stack.pool);
    return new OrderReconciler({
      repository,
      charger: new PendingOrderCharger({ repository, paymentGateway: payment.gateway, logger }),
      logger,
      minAgeMs,
      limit: 100,
    });
  }

  /** A pending order as a failed charge leaves it, created `ageMs` ago. */
  async function pendingOrder(paymentToken = "tok_visa", ageMs = 120_000): Promise<string> {
    const order = await new OrderRepository(stack.pool).insertPending({
      id: randomUUID(),
      customerId: "late",
      totalCents: 1450,
      currency: "USD",
      paymentToken,
      items: [{ productId: "sku-mug", quantity: 1, unitPriceCents: 1450 }],
    });
    await stack.pool.query(
      "UPDATE orders SET created_at = now() - make_interval(secs => $2 / 1000.0) WHERE id = $1",
      [order.id, ageMs],
    );
    return order.id;
  }

  async function stored(id: string) {
    const { rows } = await stack.pool.query(
      "SELECT status, payment_token FROM orders WHERE id = $1",
      [id],
    );
    return rows[0];
  }

  async function chargeCount(orderId: string): Promise<number> {
    const listed = (await fetch(`${stack.payments.url}/_charges`).then((r) => r.json())) as {
      charges: { orderId: string; status: number }[];
    };
    return listed.charges.filter((c) => c.orderId === orderId && c.status === 201).length;
  }

  it("settles an old pending order as paid and clears its payment token", async () => {
    const id = await pendingOrder();
    const summary = await reconciler().run();
    expect(summary).toMatchObject({ paid: expect.any(Number) });
    expect(await stored(id)).toEqual({ status: "paid", payment_token: null });
  });

  it("marks a declined pending order payment_failed", async () => {
    const id = await pendingOrder("tok_decline");
    await reconciler().run();
    expect(await stored(id)).toEqual({ status: "payment_failed", payment_token: null });
  });

  it("leaves orders younger than RECONCILE_MIN_AGE_MS alone", async () => {
    const id = await pendingOrder("tok_visa", 1_000);
    await reconciler(60_000).run();
    expect(await stored(id)).toEqual({ status: "pending", payment_token: "tok_visa" });
  });

  it("keeps orders pending, token and all, while the payment service is down", async () => {
    const id = await pendingOrder();
    stack.payments.faults.update({ errorRate: 1, errorStatus: 503 });
    const summary = await reconciler().run();
    expect(summary.stillPending).toBeGreaterThanOrEqual(1);
    expect(await stored(id)).toEqual({ status: "pending", payment_token: "tok_visa" });
  });

  it("charges each order once even when two reconciles run at the same time", async () => {
    const ids = await Promise.all([pendingOrder(), pendingOrder(), pendingOrder()]);
    stack.payments.faults.update({ latencyMs: 50 });
    const [first, second] = await Promise.all([reconciler().run(), reconciler().run()]);
    expect(first.paid + second.paid).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      expect((await stored(id)).status).toBe("paid");
      expect(await chargeCount(id)).toBe(1);
    }
  });

  it("walks a backlog that stays pending once, with a lookup that does not grow with it", async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => pendingOrder()));
    stack.payments.faults.update({ errorRate: 1, errorStatus: 400 }); // refused: stays pending
    // The size of each lookup's parameters, taken when it is sent (arrays may change later).
    const lookups: number[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound in recordingQuery
    const query = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
    const recordingQuery = function (this: Client, ...args: unknown[]) {
      if (typeof args[0] === "string" && args[0].includes("SKIP LOCKED")) {
        lookups.push(JSON.stringify(args[1]).length);
      }
      return query.apply(this, args);
    };
    const spy = jest.spyOn(Client.prototype, "query");
    spy.mockImplementation(recordingQuery);
    let summary;
    try {
      summary = await reconciler().run();
    } finally {
      spy.mockRestore();
    }
    expect(summary.stillPending).toBeGreaterThanOrEqual(ids.length);
    expect(summary.examined).toBe(summary.stillPending);
    expect(lookups.length).toBe(summary.examined + 1);
    // Keyset: the last position seen, not a list of everything skipped so far.
    expect(Math.max(...lookups) - Math.min(...lookups)).toBeLessThan(100);
  });

  it("stops early, saying why, once the payment breaker opens", async () => {
    await Promise.all(Array.from({ length: 8 }, () => pendingOrder()));
    stack.payments.faults.update({ errorRate: 1, errorStatus: 503 });
    const summary = await reconciler().run();
    // The stack's breaker opens after BREAKER_FAILURE_THRESHOLD (5) failed charges.
    expect(summary).toMatchObject({
      examined: 5,
      stillPending: 5,
      stoppedEarly: "payment-breaker-open",
    });
  });

  it("does nothing on a second run", async () => {
    await pendingOrder();
    await reconciler().run();
    expect(await reconciler().run()).toEqual({
      examined: 0,
      paid: 0,
      declined: 0,
      stillPending: 0,
    });
  });
});
