// The Idempotency-Key store (src/idempotency/idempotency-store.ts) against the real Postgres:
// what a claim on a key decides in every state a key can be in, what completing and releasing
// leave behind, what expiry forgets and what it must keep. Time is moved by rewriting a row's
// timestamps, not by waiting. The whole request flow is test/integration/idempotency.test.ts's.
import { randomBytes, randomUUID } from "node:crypto";
import { Pool, type PoolClient } from "pg";
import {
  IdempotencyStore,
  type Claim,
  type IdempotencyClaim,
} from "../../src/idempotency/idempotency-store";
import { databaseUrl, templateDatabase, withAdminClient } from "../support/backing-services";
import { runDatabaseName } from "./mutation-global-setup";

const TTL_S = 3600;
const CLAIM_TIMEOUT_MS = 60_000;

interface KeyRow {
  request_hash: string;
  claim_token: string | null;
  order_id: string | null;
  response_status: number | null;
  response_body: unknown;
  claim_s: number | null;
  ttl_s: number;
  age_s: number;
}

describe("the Idempotency-Key store", () => {
  // Named after this run, not createTestDatabase()'s random name: the mutation run's worker
  // may be killed mid-file, and its next globalSetup then knows the database for a leftover.
  const database = runDatabaseName(randomBytes(4).toString("hex"));
  let pool: Pool;
  let store: IdempotencyStore;
  beforeAll(async () => {
    await withAdminClient((client) =>
      client.query(`CREATE DATABASE ${database} TEMPLATE ${templateDatabase()}`),
    );
    pool = new Pool({ connectionString: databaseUrl(database), max: 4 });
    store = new IdempotencyStore(pool, { ttlS: TTL_S, claimTimeoutMs: CLAIM_TIMEOUT_MS });
  });
  afterAll(async () => {
    await pool.end();
    await withAdminClient((client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
  });

  /** A key nobody has used yet. */
  const freshKey = () => `key-${randomUUID()}`;

  async function rowOf(key: string, customerId = "c-1"): Promise<KeyRow | undefined> {
    const { rows } = await pool.query<KeyRow>(
      `SELECT request_hash, claim_token, order_id, response_status, response_body,
              round(extract(epoch FROM claimed_until - now()))::int AS claim_s,
              round(extract(epoch FROM expires_at - now()))::int AS ttl_s,
              round(extract(epoch FROM now() - created_at))::int AS age_s
       FROM idempotency_keys WHERE customer_id = $1 AND key = $2`,
      [customerId, key],
    );
    return rows[0];
  }

  /** Moves a key's clocks: its claim ran out, its TTL is over, or it was created long ago. */
  async function age(key: string, what: { claimExpired?: boolean; expired?: boolean }) {
    if (what.claimExpired) {
      await pool.query(
        `UPDATE idempotency_keys SET claimed_until = now() - interval '1 second'
         WHERE key = $1 AND claimed_until IS NOT NULL`,
        [key],
      );
    }
    if (what.expired) {
      await pool.query(
        `UPDATE idempotency_keys SET expires_at = now() - interval '1 second',
                created_at = now() - interval '2 days' WHERE key = $1`,
        [key],
      );
    }
  }

  async function orderIn(status: "pending" | "paid" | "payment_failed"): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, payment_token)
       VALUES ($1, 'c-1', $2, 100, 'USD', $3)`,
      [id, status, status === "pending" ? "tok" : null],
    );
    return id;
  }

  async function linkOrder(claim: IdempotencyClaim, orderId: string) {
    await pool.query(
      "UPDATE idempotency_keys SET order_id = $3 WHERE customer_id = $1 AND key = $2",
      [claim.customerId, claim.key, orderId],
    );
  }

  async function claimed(customerId: string, key: string, hash: string) {
    const claim = await store.claim(customerId, key, hash);
    if (claim.kind !== "claimed") throw new Error(`expected a claim, got ${claim.kind}`);
    return claim.claim;
  }

  /** The row of a claim just made: no order, no answer, the claim timeout and TTL from now. */
  const freshClaimRow = (requestHash: string, claim: Claim) => ({
    request_hash: requestHash,
    claim_token: (claim as { claim: IdempotencyClaim }).claim.token,
    order_id: null,
    response_status: null,
    response_body: null,
    claim_s: 60,
    ttl_s: TTL_S,
    age_s: 0,
  });

  describe("a new key", () => {
    it("is claimed by the caller, with a token of its own, for the claim timeout and the TTL", async () => {
      const key = freshKey();
      const claim = await store.claim("c-1", key, "hash-a");
      expect(claim).toEqual({
        kind: "claimed",
        claim: { customerId: "c-1", key, token: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      });
      expect(await rowOf(key)).toEqual(freshClaimRow("hash-a", claim));
    });

    it("is two keys for two customers", async () => {
      const key = freshKey();
      const alice = await claimed("alice", key, "hash-a");
      const bob = await store.claim("bob", key, "hash-b");
      expect(bob).toMatchObject({ kind: "claimed", claim: { customerId: "bob", key } });
      expect((bob as { claim: IdempotencyClaim }).claim.token).not.toBe(alice.token);
    });
  });

  describe("a key claimed by a request still running", () => {
    it("is in flight for the same request", async () => {
      const key = freshKey();
      await claimed("c-1", key, "hash-a");
      await expect(store.claim("c-1", key, "hash-a")).resolves.toEqual({ kind: "in-flight" });
    });

    it("is a mismatch for another request", async () => {
      const key = freshKey();
      await claimed("c-1", key, "hash-a");
      await expect(store.claim("c-1", key, "hash-b")).resolves.toEqual({ kind: "mismatch" });
    });

    it("stays in flight past its TTL: a duplicate at the boundary must not place a second order", async () => {
      const key = freshKey();
      await claimed("c-1", key, "hash-a");
      await age(key, { expired: true });
      await expect(store.claim("c-1", key, "hash-a")).resolves.toEqual({ kind: "in-flight" });
    });
  });

  describe("a completed key", () => {
    it("replays the recorded answer to the same request, and clears the claim", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      const body = { id: "o-1", status: "paid", items: [{ quantity: 2 }] };
      await expect(store.complete(claim, { status: 201, body })).resolves.toBe(true);
      await expect(store.claim("c-1", key, "hash-a")).resolves.toEqual({
        kind: "replay",
        response: { status: 201, body },
      });
      expect(await rowOf(key)).toMatchObject({ claim_token: null, claim_s: null });
    });

    it("replays the answer of a request that placed its order, rather than resuming it", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await linkOrder(claim, await orderIn("paid"));
      await store.complete(claim, { status: 201, body: { status: "paid" } });
      await expect(store.claim("c-1", key, "hash-a")).resolves.toEqual({
        kind: "replay",
        response: { status: 201, body: { status: "paid" } },
      });
    });

    it("is a mismatch for another request", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await store.complete(claim, { status: 201, body: {} });
      await expect(store.claim("c-1", key, "hash-b")).resolves.toEqual({ kind: "mismatch" });
    });

    it("replays a recorded 503 of a request that stored no order", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await store.complete(claim, { status: 503, body: { status: 503 } });
      await expect(store.claim("c-1", key, "hash-a")).resolves.toEqual({
        kind: "replay",
        response: { status: 503, body: { status: 503 } },
      });
    });

    it("is forgotten past its TTL: anything may use it afresh", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await linkOrder(claim, await orderIn("paid"));
      await store.complete(claim, { status: 201, body: {} });
      await age(key, { expired: true });

      const again = await store.claim("c-1", key, "hash-b");

      expect(again).toEqual({ kind: "claimed", claim: expect.objectContaining({ key }) });
      expect(await rowOf(key)).toEqual(freshClaimRow("hash-b", again));
    });
  });

  describe("completing", () => {
    it("keeps nothing for a claim that was taken over", async () => {
      const key = freshKey();
      const first = await claimed("c-1", key, "hash-a");
      await age(key, { claimExpired: true });
      const second = await claimed("c-1", key, "hash-a");

      await expect(store.complete(first, { status: 201, body: { from: "first" } })).resolves.toBe(
        false,
      );
      expect(await rowOf(key)).toMatchObject({ claim_token: second.token, response_status: null });
    });
  });

  describe("releasing", () => {
    it("forgets a key whose request stored no order: a retry starts afresh", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await store.release(claim);
      expect(await rowOf(key)).toBeUndefined();
      await expect(store.claim("c-1", key, "hash-b")).resolves.toMatchObject({ kind: "claimed" });
    });

    it("leaves a key whose order was stored resumable: a retry charges that same order", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      const orderId = await orderIn("pending");
      await linkOrder(claim, orderId);
      await store.release(claim);

      expect(await rowOf(key)).toMatchObject({
        claim_token: null,
        claim_s: null,
        order_id: orderId,
        response_status: 503,
        response_body: null,
      });
      const retry = await store.claim("c-1", key, "hash-a");
      expect(retry).toEqual({
        kind: "claimed",
        claim: expect.objectContaining({ key }),
        orderId,
      });
      expect(await rowOf(key)).toMatchObject({
        order_id: orderId,
        claim_s: 60,
        response_status: null,
      });
    });

    it("is a mismatch for another request even while resumable", async () => {
      const key = freshKey();
      const claim = await claimed("c-1", key, "hash-a");
      await linkOrder(claim, await orderIn("pending"));
      await store.release(claim);
      await expect(store.claim("c-1", key, "hash-b")).resolves.toEqual({ kind: "mismatch" });
    });

    it("changes nothing for a claim that was taken over", async () => {
      const key = freshKey();
      const first = await claimed("c-1", key, "hash-a");
      await age(key, { claimExpired: true });
      const second = await claimed("c-1", key, "hash-a");
      await store.release(first);
      expect(await rowOf(key)).toMatchObject({ claim_token: second.token, claim_s: 60 });
    });
  });

  describe("a claim whose holder died (its claim timeout passed without an answer)", () => {
    it("is taken over by a retry of the same request, with a new token", async () => {
      const key = freshKey();
      const dead = await claimed("c-1", key, "hash-a");
      await age(key, { claimExpired: true });
      const retry = await store.claim("c-1", key, "hash-a");
      expect(retry).toEqual({ kind: "claimed", claim: expect.objectContaining({ key }) });
      expect((retry as { claim: IdempotencyClaim }).claim.token).not.toBe(dead.token);
      expect(await rowOf(key)).toMatchObject({ claim_s: 60, ttl_s: TTL_S });
    });

    it("carries on with the order it stored", async () => {
      const key = freshKey();
      const dead = await claimed("c-1", key, "hash-a");
      const orderId = await orderIn("pending");
      await linkOrder(dead, orderId);
      await age(key, { claimExpired: true });
      await expect(store.claim("c-1", key, "hash-a")).resolves.toMatchObject({
        kind: "claimed",
        orderId,
      });
    });

    it("is kept past its TTL while its order is pending: a retry resumes, never re-places", async () => {
      const key = freshKey();
      const dead = await claimed("c-1", key, "hash-a");
      const orderId = await orderIn("pending");
      await linkOrder(dead, orderId);
      await age(key, { claimExpired: true, expired: true });
      await expect(store.claim("c-1", key, "hash-a")).resolves.toMatchObject({
        kind: "claimed",
        orderId,
      });
      // Not restarted: its age and expiry are those of the first request.
      expect(await rowOf(key)).toMatchObject({ order_id: orderId, age_s: 2 * 86_400 });
    });
  });

  describe("deleting expired keys (reconcile)", () => {
    it("deletes finished keys past their TTL and keeps what still decides a retry", async () => {
      await pool.query("DELETE FROM idempotency_keys");
      const finished = freshKey();
      await store.complete(await claimed("c-1", finished, "h"), { status: 201, body: {} });
      await age(finished, { expired: true });
      const unclaimedDead = freshKey();
      await claimed("c-1", unclaimedDead, "h");
      await age(unclaimedDead, { claimExpired: true, expired: true });
      const live = freshKey();
      await claimed("c-1", live, "h");
      await age(live, { expired: true });
      const pendingOrder = freshKey();
      const pendingClaim = await claimed("c-1", pendingOrder, "h");
      await linkOrder(pendingClaim, await orderIn("pending"));
      await store.release(pendingClaim);
      await age(pendingOrder, { expired: true });
      const paidOrder = freshKey();
      const paidClaim = await claimed("c-1", paidOrder, "h");
      await linkOrder(paidClaim, await orderIn("paid"));
      await store.complete(paidClaim, { status: 201, body: {} });
      await age(paidOrder, { expired: true });
      const young = freshKey();
      await store.complete(await claimed("c-1", young, "h"), { status: 201, body: {} });

      await expect(store.deleteExpired()).resolves.toBe(3);

      const { rows } = await pool.query<{ key: string }>("SELECT key FROM idempotency_keys");
      expect(rows.map((row) => row.key).sort()).toEqual([live, pendingOrder, young].sort());
      await expect(store.deleteExpired()).resolves.toBe(0);
    });
  });

  describe("a key released by another request between the claim's two statements", () => {
    /**
     * A pool of one connection on which, around each claim round, another connection gives
     * the key to somebody else before the INSERT and takes it away again before the SELECT.
     */
    function racingPool(key: string, racingRounds: number) {
      const racing = new Pool({ connectionString: databaseUrl(database), max: 1 });
      let rounds = 0;
      racing.on("connect", (client: PoolClient) => {
        const query = client.query.bind(client) as (text: string, params?: unknown[]) => unknown;
        (client as unknown as { query: unknown }).query = async (
          text: string,
          params?: unknown[],
        ) => {
          if (text === "BEGIN") rounds += 1;
          if (rounds <= racingRounds && text.includes("INSERT INTO idempotency_keys")) {
            await pool.query(
              `INSERT INTO idempotency_keys
                 (customer_id, key, request_hash, claim_token, claimed_until, expires_at)
               VALUES ('c-1', $1, 'other', gen_random_uuid(), now() + interval '1 minute',
                       now() + interval '1 day')
               ON CONFLICT DO NOTHING`,
              [key],
            );
          }
          if (rounds <= racingRounds && text.includes("FOR UPDATE OF k")) {
            await pool.query("DELETE FROM idempotency_keys WHERE key = $1", [key]);
          }
          return query(text, params);
        };
      });
      return { racing, rounds: () => rounds };
    }

    it("claims it in the next round", async () => {
      const key = freshKey();
      const { racing, rounds } = racingPool(key, 1);
      try {
        const racingStore = new IdempotencyStore(racing, {
          ttlS: TTL_S,
          claimTimeoutMs: CLAIM_TIMEOUT_MS,
        });
        await expect(racingStore.claim("c-1", key, "hash-a")).resolves.toMatchObject({
          kind: "claimed",
        });
        expect(rounds()).toBe(2);
      } finally {
        await racing.end();
      }
    });

    it("gives up after three rounds, answering in flight", async () => {
      const key = freshKey();
      const { racing, rounds } = racingPool(key, Number.POSITIVE_INFINITY);
      try {
        const racingStore = new IdempotencyStore(racing, {
          ttlS: TTL_S,
          claimTimeoutMs: CLAIM_TIMEOUT_MS,
        });
        const claim: Claim = await racingStore.claim("c-1", key, "hash-a");
        expect(claim).toEqual({ kind: "in-flight" });
        expect(rounds()).toBe(3);
      } finally {
        await racing.end();
      }
    });
  });
});
