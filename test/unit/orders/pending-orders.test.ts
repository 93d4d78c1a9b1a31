// Settling pending orders: the charger (one order: charge with its id as the payment service's
// Idempotency-Key, then settle) and the reconciler (the backlog, until the limit, the end, or an
// open payment breaker). The repository and the gateway are stand-ins that record what they
// are asked; test/integration/reconcile.test.ts runs both against Postgres and the fakes.
import type { ChargeOutcome } from "../../../src/clients/payment-gateway";
import { PaymentRequestRejectedError } from "../../../src/clients/payment-gateway";
import { createLogger } from "../../../src/infra/logger";
import type { Order } from "../../../src/orders/order";
import { OrderReconciler } from "../../../src/orders/order-reconciler";
import type { OrderRepository, SettleOrder } from "../../../src/orders/order-repository";
import { PendingOrderCharger } from "../../../src/orders/pending-order-charger";
import { BreakerOpenError } from "../../../src/resilience/circuit-breaker";
import { UpstreamStatusError } from "../../../src/resilience/upstream-errors";
import { LogCapture } from "../../support/log-capture";

const pendingOrder = (id: string): Order => ({
  id,
  customerId: "c-1",
  status: "pending",
  totalCents: 2900,
  currency: "EUR",
  items: [{ productId: "sku-mug", quantity: 2, unitPriceCents: 1450 }],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

function capturingLogger() {
  const logs = new LogCapture();
  return { logs, logger: createLogger({ level: "info", stdout: false, destinations: [logs] }) };
}

describe("the pending order charger", () => {
  function chargerWith(answer: ChargeOutcome | Error, settled?: Order | Error) {
    const charges: unknown[] = [];
    const settles: unknown[][] = [];
    const gateway = {
      ensureAcceptingCharges: jest.fn(),
      charge: (charge: unknown) => {
        charges.push(charge);
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    };
    const repository = {
      settle: (...args: unknown[]) => {
        settles.push(["repository", ...args]);
        return settled instanceof Error ? Promise.reject(settled) : Promise.resolve(settled);
      },
    };
    const { logs, logger } = capturingLogger();
    const charger = new PendingOrderCharger({
      repository,
      paymentGateway: gateway,
      logger,
    });
    return { charger, gateway, charges, settles, logs };
  }
  const order = pendingOrder("o-1");

  it("charges the order's total, in its currency, with the customer's payment token", async () => {
    const { charger, charges } = chargerWith({ outcome: "succeeded", chargeId: "ch_1" });
    await charger.charge(order, "tok_visa");
    expect(charges).toEqual([
      { orderId: "o-1", amountCents: 2900, currency: "EUR", token: "tok_visa" },
    ]);
  });

  it("marks a charged order paid with its charge id, and answers the order as settled", async () => {
    const paid = { ...order, status: "paid" as const };
    const { charger, settles } = chargerWith({ outcome: "succeeded", chargeId: "ch_1" }, paid);
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(paid);
    expect(settles).toEqual([["repository", "o-1", "paid", "ch_1"]]);
  });

  it("marks a declined order payment_failed, with no charge id", async () => {
    const failed = { ...order, status: "payment_failed" as const };
    const { charger, settles } = chargerWith({ outcome: "declined" }, failed);
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(failed);
    expect(settles).toEqual([["repository", "o-1", "payment_failed"]]);
  });

  it("settles through the settle it is given (reconcile's, inside its row lock)", async () => {
    const paid = { ...order, status: "paid" as const };
    const { charger, settles } = chargerWith({ outcome: "succeeded", chargeId: "ch_2" });
    const settle: SettleOrder = (...args) => {
      settles.push(["given", ...args]);
      return Promise.resolve(paid);
    };
    await expect(charger.charge(order, "tok_visa", settle)).resolves.toBe(paid);
    expect(settles).toEqual([["given", "o-1", "paid", "ch_2"]]);
  });

  it("answers the order as it was when settling found nothing to settle", async () => {
    const { charger } = chargerWith({ outcome: "succeeded", chargeId: "ch_1" }, undefined);
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(order);
  });

  it("keeps the order pending when the payment service cannot be reached", async () => {
    const { charger, settles, logs } = chargerWith(new UpstreamStatusError("payment-service", 503));
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(order);
    expect(settles).toEqual([]);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "payment unavailable; order kept pending",
        orderId: "o-1",
        err: expect.objectContaining({ type: "UpstreamStatusError" }),
      }),
    ]);
  });

  it("keeps the order pending and calls for an operator when the payment request is refused", async () => {
    const { charger, settles, logs } = chargerWith(new PaymentRequestRejectedError(401));
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(order);
    expect(settles).toEqual([]);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "payment request rejected; order kept pending",
        orderId: "o-1",
        err: expect.objectContaining({ type: "PaymentRequestRejectedError", status: 401 }),
      }),
    ]);
  });

  it("keeps the order pending when the outcome cannot be stored, naming the outcome", async () => {
    const { charger, logs } = chargerWith(
      { outcome: "declined" },
      new Error("Connection terminated unexpectedly"),
    );
    await expect(charger.charge(order, "tok_visa")).resolves.toBe(order);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "payment outcome not stored; order kept pending",
        orderId: "o-1",
        payment: "declined",
        err: expect.objectContaining({ message: "Connection terminated unexpectedly" }),
      }),
    ]);
  });

  it("refuses at once, before anything is stored, while the payment breaker is open", () => {
    const { charger, gateway } = chargerWith({ outcome: "declined" });
    const refusal = new BreakerOpenError("payment-service", 30_000);
    gateway.ensureAcceptingCharges.mockImplementation(() => {
      throw refusal;
    });
    expect(() => charger.ensureCanCharge()).toThrow(refusal);
    gateway.ensureAcceptingCharges.mockReset();
    expect(() => charger.ensureCanCharge()).not.toThrow();
    expect(gateway.ensureAcceptingCharges).toHaveBeenCalledTimes(1);
  });
});

describe("the order reconciler", () => {
  type Settled = Order["status"];

  /** A backlog of pending orders, each settling as `outcomes` says. */
  function reconcilerOver(
    outcomes: Settled[],
    options: { limit?: number; breakerOpensBefore?: number; ensureFails?: Error } = {},
  ) {
    const settle: SettleOrder = () => Promise.resolve(undefined);
    const lookups: unknown[][] = [];
    const charged: unknown[][] = [];
    const repository = {
      withNextPendingOrder: async <T>(
        minAgeMs: number,
        after: unknown,
        work: (pending: { order: Order; paymentToken: string }, settle: SettleOrder) => Promise<T>,
      ) => {
        lookups.push([minAgeMs, after]);
        const index = after === undefined ? 0 : (after as { index: number }).index + 1;
        if (index >= outcomes.length) return undefined;
        const result = await work(
          { order: pendingOrder(`o-${index}`), paymentToken: `tok-${index}` },
          settle,
        );
        return { result, position: { index } };
      },
    };
    let checks = 0;
    const charger = {
      ensureCanCharge: () => {
        checks += 1;
        if (options.ensureFails) throw options.ensureFails;
        if (options.breakerOpensBefore !== undefined && checks > options.breakerOpensBefore) {
          throw new BreakerOpenError("payment-service", 60_000);
        }
      },
      charge: (order: Order, paymentToken: string, given: SettleOrder) => {
        charged.push([order.id, paymentToken, given === settle]);
        const status = outcomes[Number(order.id.slice(2))]!;
        return Promise.resolve({ ...order, status });
      },
    };
    const { logs, logger } = capturingLogger();
    const reconciler = new OrderReconciler({
      repository: repository as unknown as Pick<OrderRepository, "withNextPendingOrder">,
      charger: charger as unknown as PendingOrderCharger,
      logger,
      minAgeMs: 60_000,
      limit: options.limit ?? 100,
    });
    return { reconciler, lookups, charged, logs };
  }

  it("charges every pending order once, in order, and counts how each settled", async () => {
    const { reconciler, lookups, charged } = reconcilerOver([
      "paid",
      "payment_failed",
      "pending",
      "paid",
    ]);
    await expect(reconciler.run()).resolves.toEqual({
      examined: 4,
      paid: 2,
      declined: 1,
      stillPending: 1,
    });
    expect(charged).toEqual([
      ["o-0", "tok-0", true],
      ["o-1", "tok-1", true],
      ["o-2", "tok-2", true],
      ["o-3", "tok-3", true],
    ]);
    // Each lookup starts after the order before it; the last one finds the backlog's end.
    expect(lookups).toEqual([
      [60_000, undefined],
      [60_000, { index: 0 }],
      [60_000, { index: 1 }],
      [60_000, { index: 2 }],
      [60_000, { index: 3 }],
    ]);
  });

  it("stops at its limit", async () => {
    const { reconciler, lookups } = reconcilerOver(["paid", "paid", "paid"], { limit: 2 });
    await expect(reconciler.run()).resolves.toEqual({
      examined: 2,
      paid: 2,
      declined: 0,
      stillPending: 0,
    });
    expect(lookups).toHaveLength(2);
  });

  it("does nothing with a limit of 0", async () => {
    const { reconciler, lookups } = reconcilerOver(["paid"], { limit: 0 });
    await expect(reconciler.run()).resolves.toEqual({
      examined: 0,
      paid: 0,
      declined: 0,
      stillPending: 0,
    });
    expect(lookups).toEqual([]);
  });

  it("stops early, leaving the rest for the next run, once the payment breaker is open", async () => {
    const { reconciler, charged, logs } = reconcilerOver(["paid", "pending", "paid", "paid"], {
      breakerOpensBefore: 2,
    });
    await expect(reconciler.run()).resolves.toEqual({
      examined: 2,
      paid: 1,
      declined: 0,
      stillPending: 1,
      stoppedEarly: "payment-breaker-open",
    });
    expect(charged).toHaveLength(2);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "payment breaker open; reconcile stops early",
        examined: 2,
        paid: 1,
        stillPending: 1,
      }),
    ]);
  });

  it("charges nothing when the payment breaker is open from the start", async () => {
    const { reconciler, lookups } = reconcilerOver(["paid"], { breakerOpensBefore: 0 });
    await expect(reconciler.run()).resolves.toMatchObject({
      examined: 0,
      stoppedEarly: "payment-breaker-open",
    });
    expect(lookups).toEqual([]);
  });

  it("fails on anything else that stops the charger, rather than calling it a breaker", async () => {
    const bug = new TypeError("gateway is undefined");
    const { reconciler } = reconcilerOver(["paid"], { ensureFails: bug });
    await expect(reconciler.run()).rejects.toBe(bug);
  });
});
