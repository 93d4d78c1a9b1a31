import {
  startFakePaymentService,
  startFakeProductService,
  TEST_PAYMENT_API_KEY,
  type RunningFake,
} from "../support/fake-upstreams";
import { parseFakeConfig } from "../../src/fakes/fake-config";

async function control(fake: RunningFake, patch: unknown) {
  return fetch(`${fake.url}/_control`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(patch),
  });
}

const charge = (orderId: string, token = "tok_visa") => ({
  orderId,
  amountCents: 1450,
  currency: "USD",
  token,
});

function postCharge(fake: RunningFake, body: unknown, key = "k-1", apiKey = TEST_PAYMENT_API_KEY) {
  return fetch(`${fake.url}/charges`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${apiKey}`,
      "idempotency-key": key,
    },
    body: JSON.stringify(body),
  });
}

describe("fake product service", () => {
  let products: RunningFake;
  beforeAll(async () => (products = await startFakeProductService()));
  afterAll(() => products.close());
  afterEach(() => products.faults.reset());

  it("answers the product contract: 200 with id, name, priceCents, currency, or 404", async () => {
    const found = await fetch(`${products.url}/products/sku-mug`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({
      id: "sku-mug",
      name: "Stoneware mug",
      priceCents: 1450,
      currency: "USD",
    });
    expect((await fetch(`${products.url}/products/nope`)).status).toBe(404);
  });

  it("fails the next N calls with the chosen status, set at run time", async () => {
    expect((await control(products, { failNext: 2, errorStatus: 502 })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await fetch(`${products.url}/products/sku-mug`)).status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  it("resets connections when hard down, but keeps its control endpoint up", async () => {
    await control(products, { down: true });
    const refused = await fetch(`${products.url}/products/sku-mug`).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({
      message: "fetch failed",
      cause: expect.objectContaining({
        code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET)$/),
      }),
    });
    const state = (await (await fetch(`${products.url}/_control`)).json()) as {
      faults: { down: boolean };
    };
    expect(state.faults.down).toBe(true);
  });

  it("adds latency", async () => {
    await control(products, { latencyMs: 150 });
    const started = Date.now();
    await fetch(`${products.url}/products/sku-mug`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("rejects an invalid knob with 400 and a message", async () => {
    const response = await control(products, { errorRate: 2, typo: true });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/errorRate/);
  });
});

describe("fake payment service", () => {
  let payments: RunningFake;
  beforeAll(async () => (payments = await startFakePaymentService()));
  afterAll(() => payments.close());
  afterEach(() => payments.faults.reset());

  it("charges once per Idempotency-Key and replays the first answer", async () => {
    const first = await postCharge(payments, charge("o-1"), "key-a");
    const again = await postCharge(payments, charge("o-1"), "key-a");
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("refuses a wrong bearer key (401), a missing key (400) and a reused key with another body (422)", async () => {
    expect((await postCharge(payments, charge("o-2"), "key-b", "wrong-key-123")).status).toBe(401);
    const noKey = await fetch(`${payments.url}/charges`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${TEST_PAYMENT_API_KEY}`,
      },
      body: JSON.stringify(charge("o-2")),
    });
    expect(noKey.status).toBe(400);
    await postCharge(payments, charge("o-3"), "key-c");
    expect((await postCharge(payments, { ...charge("o-3"), amountCents: 1 }, "key-c")).status).toBe(
      422,
    );
  });

  it("declines tok_decline, and a share of charges set by declineRate", async () => {
    expect((await postCharge(payments, charge("o-4", "tok_decline"), "key-d")).status).toBe(402);
    await control(payments, { declineRate: 1 });
    const declined = await postCharge(payments, charge("o-5"), "key-e");
    expect(declined.status).toBe(402);
    expect(await declined.json()).toEqual({ status: "declined" });
  });
});

describe("fake start-time knobs", () => {
  it("reads FAKE_* variables, with PORT defaulting per fake", () => {
    expect(parseFakeConfig({ FAKE_ERROR_RATE: "0.5", FAKE_DOWN: "true" }, 8001)).toMatchObject({
      port: 8001,
      faults: { errorRate: 0.5, down: true },
    });
  });

  it("names a bad variable", () => {
    expect(() => parseFakeConfig({ FAKE_DOWN: "maybe" }, 8001)).toThrow(/FAKE_DOWN/);
  });
});
