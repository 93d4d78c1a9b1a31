// Resilience with real processes over real HTTP (issue 3): retries, timeouts, the payment
// breaker, idempotent replays across two service processes, and reconcile as its own process.
// With E2E_REPORT=1 the observed attempts, delays and timings are printed.
import {
  cleanEnvironment,
  logMessage,
  SpawnedProcess,
  startService,
  type ServiceProcess,
} from "../support/processes";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { anOrder, E2E_CUSTOMER, request } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();
const observed: Record<string, unknown> = {};

afterAll(() => {
  if (process.env.E2E_REPORT) process.stderr.write(`${JSON.stringify(observed, null, 2)}\n`);
});

/** POST /orders as the e2e customer (or `as`), with its token. */
async function ordersOf(
  service: ServiceProcess,
  body: unknown,
  headers: Record<string, string> = {},
  as = E2E_CUSTOMER,
) {
  const authorization = await stack.authorization(as);
  return request(service.port, "/orders", { body, headers: { ...authorization, ...headers } });
}

async function paymentCharges(orderId: string): Promise<number> {
  const listed = (await fetch(`${stack.payments.url}/_charges`).then((r) => r.json())) as {
    charges: { orderId: string; status: number }[];
  };
  return listed.charges.filter((charge) => charge.orderId === orderId && charge.status === 201)
    .length;
}

describe("the product client, against a failing product service", () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService(
      stack.environment({
        PRODUCT_TIMEOUT_MS: "300",
        RETRY_MAX_ATTEMPTS: "3",
        RETRY_BASE_DELAY_MS: "100",
        RETRY_MAX_DELAY_MS: "1000",
        BREAKER_FAILURE_THRESHOLD: "50",
        PRODUCT_CACHE_TTL_S: "1",
      }),
    );
  });
  afterAll(killServiceProcesses);

  it("retries twice with jittered delays, then places the order", async () => {
    await stack.products.setFaults({ failNext: 2, errorStatus: 503 });
    const answer = await ordersOf(service, anOrder("sku-grinder"));
    expect(answer.status).toBe(201);
    const calls = await stack.products.calls();
    expect(calls).toBe(3);
    const retries = service.logLines.filter(
      (line) => line.msg === "product lookup failed; retrying",
    );
    const delays = retries.map((line) => line.delayMs as number);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    observed.retriesThenSuccess = {
      productCalls: calls,
      delaysMs: delays,
      totalMs: Math.round(answer.durationMs),
    };
  });

  it("gives up after RETRY_MAX_ATTEMPTS with 503 + Retry-After, in bounded time", async () => {
    await stack.products.setFaults({ errorRate: 1, errorStatus: 500 });
    const answer = await ordersOf(service, anOrder("sku-scale"));
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toMatch(/^\d+$/);
    expect(await stack.products.calls()).toBe(3);
    expect(answer.durationMs).toBeLessThan(1000); // 2 delays of at most 100 + 200 ms
    observed.persistentFailure = { productCalls: 3, totalMs: Math.round(answer.durationMs) };
  });

  it("cuts a hanging product service off at PRODUCT_TIMEOUT_MS per attempt", async () => {
    await stack.products.setFaults({ latencyMs: 10_000 });
    const answer = await ordersOf(service, anOrder("sku-kettle"));
    expect(answer.status).toBe(503);
    expect(answer.durationMs).toBeGreaterThanOrEqual(3 * 300);
    expect(answer.durationMs).toBeLessThan(3 * 300 + 300 + 1000);
    observed.hangingUpstream = {
      attempts: 3,
      perAttemptTimeoutMs: 300,
      totalMs: Math.round(answer.durationMs),
    };
  });
});

describe("the payment breaker, against a failing payment service", () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService(
      stack.environment({
        BREAKER_FAILURE_THRESHOLD: "3",
        BREAKER_RESET_TIMEOUT_MS: "2000",
        BREAKER_SUCCESS_THRESHOLD: "2",
        // The reset timeout must exceed the call timeouts of the upstreams it guards.
        PAYMENT_TIMEOUT_MS: "1000",
        PRODUCT_TIMEOUT_MS: "1000",
      }),
    );
  });
  afterAll(killServiceProcesses);

  it("opens after 3 failures, refuses at once without calling payments, stays ready, then recovers", async () => {
    await stack.payments.setFaults({ errorRate: 1, errorStatus: 503 });
    // Each order is stored and accepted (202); its charge failing is what opens the breaker.
    for (let i = 0; i < 3; i += 1) {
      expect((await ordersOf(service, anOrder())).status).toBe(202);
    }
    const callsWhenOpened = await stack.payments.calls();
    const refused = await ordersOf(service, anOrder());
    expect(refused.status).toBe(503);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(2);
    expect(await stack.payments.calls()).toBe(callsWhenOpened);
    const ready = await request(service.port, "/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.json.breakers).toMatchObject({ "payment-service": "open" });
    await service.waitForLog(logMessage("circuit breaker open"));

    await stack.payments.resetFaults();
    await service.waitForLog(logMessage("circuit breaker half-open"), 5000);
    expect((await ordersOf(service, anOrder())).status).toBe(201);
    expect((await ordersOf(service, anOrder())).status).toBe(201);
    await service.waitForLog(logMessage("circuit breaker closed"), 1000);
    observed.breaker = {
      paymentCallsBeforeOpen: callsWhenOpened,
      failFastWhileOpenMs: Math.round(refused.durationMs),
      retryAfterS: Number(refused.headers["retry-after"]),
    };
  });
});

describe("idempotent orders across two service processes", () => {
  let first: ServiceProcess;
  let second: ServiceProcess;
  beforeAll(async () => {
    const env = stack.environment();
    [first, second] = await Promise.all([startService(env), startService(env)]);
  });
  afterAll(killServiceProcesses);

  it("replays the first answer on the second process, with one order and one charge", async () => {
    const key = `e2e-${Date.now()}`;
    const original = await ordersOf(first, anOrder(), { "Idempotency-Key": key });
    const replay = await ordersOf(second, anOrder(), { "Idempotency-Key": key });
    expect(original.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(original.json);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(await paymentCharges(original.json.id as string)).toBe(1);
  });

  it("scopes the key to the caller: another customer with the same key gets its own order", async () => {
    const key = `e2e-shared-${Date.now()}`;
    const other = "customer-e2e-other";
    const mine = await ordersOf(first, anOrder(), { "Idempotency-Key": key });
    const theirs = await ordersOf(
      second,
      { ...anOrder(), customerId: other },
      { "Idempotency-Key": key },
      other,
    );
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.headers["idempotent-replayed"]).toBeUndefined();
    expect(theirs.json).toMatchObject({ customerId: other });
    expect(theirs.json.id).not.toBe(mine.json.id);
    // Each sees its own order, never the other's (404, not 403: its existence is not told).
    const [own, foreign] = await Promise.all([
      request(second.port, `/orders/${String(theirs.json.id)}`, {
        headers: await stack.authorization(other),
      }),
      request(second.port, `/orders/${String(mine.json.id)}`, {
        headers: await stack.authorization(other),
      }),
    ]);
    expect([own.status, foreign.status]).toEqual([200, 404]);
  });

  it("replays the stored 202 on the other process when the charge could not complete", async () => {
    const key = `e2e-retry-${Date.now()}`;
    await stack.payments.setFaults({ failNext: 1, errorStatus: 503 });
    const accepted = await ordersOf(first, anOrder(), { "Idempotency-Key": key });
    expect(accepted.status).toBe(202);
    expect(accepted.headers["retry-after"]).toBeUndefined();
    const retried = await ordersOf(second, anOrder(), { "Idempotency-Key": key });
    expect(retried.status).toBe(202);
    expect(retried.json).toEqual(accepted.json);
  });
});

describe("reconcile, as its own process", () => {
  it("settles a pending order, prints a one-line JSON summary and exits 0", async () => {
    const service = await startService(stack.environment());
    await stack.payments.setFaults({ failNext: 1, errorStatus: 503 });
    const pending = await ordersOf(service, anOrder());
    expect(pending.status).toBe(202);
    await killServiceProcesses();

    const reconcile = new SpawnedProcess(
      "reconcile",
      "admin/reconcile.js",
      cleanEnvironment(stack.environment({ RECONCILE_MIN_AGE_MS: "0" })),
    );
    const status = await reconcile.exited;
    expect(status.code).toBe(0);
    const summary = reconcile.logLines.find((line) => line.msg === "reconcile finished");
    // Every pending order this file's other tests left behind is settled too.
    expect(summary).toMatchObject({ declined: 0, stillPending: 0 });
    expect(summary?.paid).toBeGreaterThanOrEqual(1);
    expect(await paymentCharges(pending.json.id as string)).toBe(1);
    observed.reconcile = summary;
  });

  it("stops early once the payment breaker opens, says why, and exits 75", async () => {
    const service = await startService(stack.environment());
    await stack.payments.setFaults({ failNext: 4, errorStatus: 503 });
    for (let i = 0; i < 4; i += 1) expect((await ordersOf(service, anOrder())).status).toBe(202);
    await killServiceProcesses();
    await stack.payments.setFaults({ errorRate: 1, errorStatus: 503 });

    const reconcile = new SpawnedProcess(
      "reconcile",
      "admin/reconcile.js",
      cleanEnvironment(
        stack.environment({ RECONCILE_MIN_AGE_MS: "0", BREAKER_FAILURE_THRESHOLD: "2" }),
      ),
    );
    const status = await reconcile.exited;
    expect(status.code).toBe(75);
    const summary = reconcile.logLines.find((line) => line.msg === "reconcile finished");
    expect(summary).toMatchObject({
      examined: 2,
      stillPending: 2,
      stoppedEarly: "payment-breaker-open",
    });
  });

  it.each([
    [["--limit", "0"], "--limit must be a whole number from 1 to 100000"],
    [["--limit", "ten"], "--limit must be a whole number from 1 to 100000"],
    [["--dry-run"], "Unknown option '--dry-run'"],
  ])("refuses %j with a usage message and exit code 1", async (args, message) => {
    const reconcile = new SpawnedProcess(
      "reconcile",
      "admin/reconcile.js",
      cleanEnvironment(stack.environment()),
      args,
    );
    const status = await reconcile.exited;
    expect(status.code).toBe(1);
    expect(reconcile.stderr).toContain(message);
    expect(reconcile.stderr).toContain("usage: reconcile [--limit N]");
  });
});
