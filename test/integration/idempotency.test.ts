import { randomUUID } from "node:crypto";
import request from "supertest";
import {
  ClaimLostError,
  IdempotencyStore,
  type IdempotencyClaim,
} from "../../src/idempotency/idempotency-store";
import { OrderRepository } from "../../src/orders/order-repository";
import { startTestStack, type TestStack } from "../support/test-stack";

const body = (paymentToken = "tok_visa") => ({
  customerId: "idem-customer",
  items: [{ productId: "sku-grinder", quantity: 1 }],
  paymentToken,
});

async function chargesFor(stack: TestStack, orderId: string): Promise<number> {
  const listed = (await fetch(`${stack.payments.url}/_charges`).then((r) => r.json())) as {
    charges: { orderId: string }[];
  };
  return listed.charges.filter((charge) => charge.orderId === orderId).length;
}

/** The bearer token of idem-customer (both replicas trust the same identity provider). */
let asIdemCustomer: { Authorization: string };

/** POST /orders with an Idempotency-Key, as idem-customer, to one of the two replicas. */
function postWithKey(stack: TestStack, key: string, orderBody: unknown) {
  return request(stack.app)
    .post("/orders")
    .set(asIdemCustomer)
    .set("Idempotency-Key", key)
    .send(orderBody as object);
}

async function orderCount(stack: TestStack): Promise<number> {
  const { rows } = await stack.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders WHERE customer_id = 'idem-customer'",
  );
  return rows[0]!.n;
}

/** Resolves once a request has claimed `key` (its row exists). */
async function waitForKey(stack: TestStack, key: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const { rowCount } = await stack.pool.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [
      key,
    ]);
    if (rowCount === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no claim on ${key}`);
}

describe("POST /orders with an Idempotency-Key", () => {
  let first: TestStack;
  let second: TestStack;
  beforeAll(async () => {
    first = await startTestStack();
    // A second replica: its own pools and breakers, the same database and upstreams.
    second = await startTestStack({}, first);
    asIdemCustomer = await first.as("idem-customer");
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });
  afterEach(() => {
    first.payments.faults.reset();
    first.products.faults.reset();
  });

  it("answers a repeat with the stored status and body, marked as a replay, without charging again", async () => {
    const key = randomUUID();
    const original = await postWithKey(first, key, body()).expect(201);
    const repeat = await postWithKey(first, key, body()).expect(201);
    expect(repeat.body).toEqual(original.body);
    expect(repeat.headers["idempotent-replayed"]).toBe("true");
    expect(original.headers["idempotent-replayed"]).toBeUndefined();
    expect(await chargesFor(first, original.body.id)).toBe(1);
  });

  it("replays on another replica: the key lives in Postgres, not in process memory", async () => {
    const key = randomUUID();
    const before = await orderCount(first);
    const original = await postWithKey(first, key, body()).expect(201);
    const onSecond = await postWithKey(second, key, body()).expect(201);
    expect(onSecond.body).toEqual(original.body);
    expect(onSecond.headers["idempotent-replayed"]).toBe("true");
    expect(await orderCount(first)).toBe(before + 1);
  });

  it("replays a decline as the same 402 problem", async () => {
    const key = randomUUID();
    const original = await postWithKey(first, key, body("tok_decline")).expect(402);
    const repeat = await postWithKey(second, key, body("tok_decline")).expect(402);
    expect(repeat.body).toEqual(original.body);
    expect(repeat.headers["content-type"]).toMatch(/application\/problem\+json/);
  });

  it("answers 422 when the key is reused with a different body", async () => {
    const key = randomUUID();
    await request(first.app)
      .post("/orders")
      .set(asIdemCustomer)
      .set("Idempotency-Key", key)
      .send(body())
      .expect(201);
    const reused = await postWithKey(first, key, {
      ...body(),
      items: [{ productId: "sku-grinder", quantity: 2 }],
    }).expect(422);
    expect(reused.body.type).toMatch(/idempotency-key-reused$/);
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const key = randomUUID();
    first.payments.faults.update({ latencyMs: 600 });
    const slow = request(first.app)
      .post("/orders")
      .set(asIdemCustomer)
      .set("Idempotency-Key", key)
      .send(body());
    const slowDone = slow.then((response) => response);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const concurrent = await postWithKey(second, key, body()).expect(409);
    expect(concurrent.body.type).toMatch(/idempotency-key-in-use$/);
    expect((await slowDone).status).toBe(201);
  });

  it("stores the 202 of a charge that could not complete and replays it, never creating a second order", async () => {
    const key = randomUUID();
    const before = await orderCount(first);
    first.payments.faults.update({ failNext: 1, errorStatus: 503 });
    const accepted = await postWithKey(first, key, body()).expect(202);
    expect(accepted.body.status).toBe("pending");
    const replayed = await postWithKey(second, key, body()).expect(202);
    expect(replayed.body).toEqual(accepted.body);
    expect(replayed.headers["idempotent-replayed"]).toBe("true");
    expect(replayed.headers.location).toBe(`/orders/${accepted.body.id}`);
    expect(await orderCount(first)).toBe(before + 1);
  });

  it("starts afresh after a 503 that stored nothing (product service down)", async () => {
    const key = randomUUID();
    first.products.faults.update({ errorRate: 1, errorStatus: 503 });
    await postWithKey(first, key, {
      ...body(),
      items: [{ productId: "sku-filter-papers", quantity: 1 }],
    }).expect(503);
    first.products.faults.reset();
    await postWithKey(first, key, {
      ...body(),
      items: [{ productId: "sku-filter-papers", quantity: 1 }],
    }).expect(201);
  });

  it("takes over a claim whose holder crashed, once the claim has expired", async () => {
    const key = randomUUID();
    first.payments.faults.update({ failNext: 1, errorStatus: 503 });
    const failed = await postWithKey(first, key, body()).expect(202);
    // What a crash mid-request leaves: a claim, linked to its stored order, nobody will complete.
    await first.pool.query(
      `UPDATE idempotency_keys
       SET claimed_until = now() + interval '1 hour', claim_token = gen_random_uuid(),
           response_status = NULL, response_body = NULL
       WHERE key = $1`,
      [key],
    );
    await request(first.app)
      .post("/orders")
      .set(asIdemCustomer)
      .set("Idempotency-Key", key)
      .send(body())
      .expect(409);
    await first.pool.query(
      "UPDATE idempotency_keys SET claimed_until = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const resumed = await postWithKey(first, key, body()).expect(201);
    expect(resumed.body.id).toBe(failed.body.id);
    expect(await chargesFor(first, failed.body.id)).toBe(1);
  });

  it("treats an expired key as new", async () => {
    const key = randomUUID();
    const original = await postWithKey(first, key, body()).expect(201);
    await first.pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const again = await postWithKey(first, key, body()).expect(201);
    expect(again.body.id).not.toBe(original.body.id);
    expect(again.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("never takes over a live claim, even past the key's expiry", async () => {
    const key = randomUUID();
    const before = await orderCount(first);
    first.payments.faults.update({ latencyMs: 800 });
    const slow = postWithKey(first, key, body()).then((response) => response);
    await waitForKey(first, key);
    await first.pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    await postWithKey(second, key, body()).expect(409);
    expect((await slow).status).toBe(201);
    expect(await orderCount(first)).toBe(before + 1);
  });

  it("never treats a key whose order is still pending as expired: it replays, and places no second order", async () => {
    const key = randomUUID();
    const before = await orderCount(first);
    first.payments.faults.update({ failNext: 1, errorStatus: 503 });
    const accepted = await postWithKey(first, key, body()).expect(202);
    await first.pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const again = await postWithKey(first, key, body()).expect(202);
    expect(again.body.id).toBe(accepted.body.id);
    expect(await orderCount(first)).toBe(before + 1);
  });

  it("deletes expired keys, but not a live claim or a key whose order is still pending", async () => {
    const store = new IdempotencyStore(first.pool, { ttlS: 3600, claimTimeoutMs: 60_000 });
    const finished = randomUUID();
    await postWithKey(first, finished, body()).expect(201);
    const pending = randomUUID();
    first.payments.faults.update({ failNext: 1, errorStatus: 503 });
    await postWithKey(first, pending, body()).expect(202);
    const live = randomUUID();
    await store.claim("idem-customer", live, "hash");
    const keys = [finished, pending, live];
    await first.pool.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ANY($1)",
      [keys],
    );
    await store.deleteExpired();
    const { rows } = await first.pool.query<{ key: string }>(
      "SELECT key FROM idempotency_keys WHERE key = ANY($1)",
      [keys],
    );
    expect(rows.map((row) => row.key).sort()).toEqual([pending, live].sort());
  });

  it("never lets a request whose claim was taken over store an order or an answer", async () => {
    const key = randomUUID();
    const store = new IdempotencyStore(first.pool, { ttlS: 3600, claimTimeoutMs: 60_000 });
    const repository = new OrderRepository(first.pool);
    const slow = await store.claim("idem-customer", key, "hash");
    // The slow request's claim runs out, and a retry takes the key over.
    await first.pool.query(
      "UPDATE idempotency_keys SET claimed_until = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const retry = await store.claim("idem-customer", key, "hash");
    if (slow.kind !== "claimed" || retry.kind !== "claimed") throw new Error("expected claims");
    const anOrder = (id: string, claim: IdempotencyClaim) => ({
      id,
      customerId: "idem-customer",
      totalCents: 100,
      currency: "USD",
      paymentToken: "tok",
      items: [{ productId: "sku-mug", quantity: 1, unitPriceCents: 100 }],
      idempotencyClaim: claim,
    });
    const before = await orderCount(first);
    await expect(
      repository.insertPending(anOrder(randomUUID(), slow.claim)),
    ).rejects.toBeInstanceOf(ClaimLostError);
    expect(await store.complete(slow.claim, { status: 201, body: {} })).toBe(false);
    await repository.insertPending(anOrder(randomUUID(), retry.claim));
    expect(await store.complete(retry.claim, { status: 201, body: { ok: true } })).toBe(true);
    expect(await orderCount(first)).toBe(before + 1);
  });

  it("answers 400 for a key longer than 255 characters", async () => {
    await postWithKey(first, "k".repeat(256), body()).expect(400);
  });
});
