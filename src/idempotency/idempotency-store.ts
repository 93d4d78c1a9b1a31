// Atomic claims on Idempotency-Keys in Postgres (a row per caller and key, locked while
// deciding), so two replicas receiving the same key at once cannot both act on it. Keys are
// scoped to the caller: the same string from two customers is two keys. Each claim carries a token:
// only its holder may complete or release it, or link an order to it.
import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import { withPoolClient } from "../infra/postgres";

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Proof of holding a key: passed back to complete(), release() and the order insert. */
export interface IdempotencyClaim {
  readonly customerId: string;
  readonly key: string;
  readonly token: string;
}

export type Claim =
  /** The caller holds the key: do the work, then complete() or release(). */
  | { readonly kind: "claimed"; readonly claim: IdempotencyClaim; readonly orderId?: string }
  /** The work is done: answer exactly what was answered the first time. */
  | { readonly kind: "replay"; readonly response: StoredResponse }
  /** Same key, different body (422). */
  | { readonly kind: "mismatch" }
  /** Same key, first request still running (409). */
  | { readonly kind: "in-flight" };

/** The claim expired and another request took the key over: this one must stop. */
export class ClaimLostError extends Error {
  constructor(readonly key: string) {
    super("The Idempotency-Key was taken over by a retry of this request");
    this.name = "ClaimLostError";
  }
}

export interface IdempotencyStoreOptions {
  readonly ttlS: number;
  readonly claimTimeoutMs: number;
}

interface KeyRow {
  request_hash: string;
  claimed_until: Date | null;
  order_id: string | null;
  response_status: number | null;
  response_body: unknown;
  expired: boolean;
  claim_live: boolean;
}

/** A 503 after the order was stored is not final: a retry charges that same order again. */
const RESUMABLE_STATUS = 503;
// A key released between our INSERT and our SELECT is simply claimed again; this bounds that.
const MAX_CLAIM_ROUNDS = 3;

export class IdempotencyStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  async claim(customerId: string, key: string, requestHash: string): Promise<Claim> {
    return withPoolClient(this.pool, async (client) => {
      for (let round = 1; ; round += 1) {
        await client.query("BEGIN");
        const claim = await this.decide(
          client,
          { customerId, key, token: randomUUID() },
          requestHash,
        );
        await client.query("COMMIT");
        if (claim || round === MAX_CLAIM_ROUNDS) return claim ?? { kind: "in-flight" };
      }
    });
  }

  /** Records the final answer; false when the claim was lost (the answer is then not kept). */
  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE idempotency_keys
       SET claimed_until = NULL, claim_token = NULL, response_status = $4, response_body = $5
       WHERE customer_id = $1 AND key = $2 AND claim_token = $3`,
      [claim.customerId, claim.key, claim.token, response.status, JSON.stringify(response.body)],
    );
    return rowCount === 1;
  }

  /**
   * Gives the key up after a failure the client may retry: forgotten if no order was stored
   * (a retry starts afresh), otherwise left resumable (a retry charges that same order).
   */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.pool.query(
      `WITH forgotten AS (
         DELETE FROM idempotency_keys
         WHERE customer_id = $1 AND key = $2 AND claim_token = $3 AND order_id IS NULL
       )
       UPDATE idempotency_keys
       SET claimed_until = NULL, claim_token = NULL,
           response_status = ${RESUMABLE_STATUS}, response_body = NULL
       WHERE customer_id = $1 AND key = $2 AND claim_token = $3 AND order_id IS NOT NULL`,
      [claim.customerId, claim.key, claim.token],
    );
  }

  /**
   * Removes records past their expiry (reconcile runs this); returns how many. A live claim
   * and a key whose order is still pending are kept: both still decide what a retry gets.
   */
  async deleteExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM idempotency_keys k
       WHERE k.expires_at <= now()
         AND (k.claimed_until IS NULL OR k.claimed_until <= now())
         AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = k.order_id AND o.status = 'pending')`,
    );
    return rowCount ?? 0;
  }

  /** Undefined when the row vanished between the INSERT and the SELECT (released meanwhile). */
  private async decide(
    client: PoolClient,
    claim: IdempotencyClaim,
    requestHash: string,
  ): Promise<Claim | undefined> {
    const inserted = await client.query(
      `INSERT INTO idempotency_keys
         (customer_id, key, request_hash, claim_token, claimed_until, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5 / 1000.0),
               now() + make_interval(secs => $6))
       ON CONFLICT (customer_id, key) DO NOTHING`,
      [
        claim.customerId,
        claim.key,
        requestHash,
        claim.token,
        this.options.claimTimeoutMs,
        this.options.ttlS,
      ],
    );
    if (inserted.rowCount === 1) return { kind: "claimed", claim };

    // Past its TTL, a key is forgotten only once nothing depends on it any more: never while a
    // request holds it (a duplicate at the boundary would place a second order) nor while its
    // order is pending (a retry must resume that order, not place another).
    const { rows } = await client.query<KeyRow>(
      `SELECT k.request_hash, k.claimed_until, k.order_id, k.response_status, k.response_body,
              k.claimed_until > now() AS claim_live,
              k.expires_at <= now()
                AND (k.claimed_until IS NULL OR k.claimed_until <= now())
                AND o.status IS DISTINCT FROM 'pending' AS expired
       FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
       WHERE k.customer_id = $1 AND k.key = $2
       FOR UPDATE OF k`,
      [claim.customerId, claim.key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expired) {
      await this.takeOver(client, claim, requestHash, { fresh: true });
      return { kind: "claimed", claim };
    }
    if (row.request_hash !== requestHash) return { kind: "mismatch" };
    if (row.claim_live) return { kind: "in-flight" };
    // Stryker disable next-line LogicalOperator: no code path leaves both set or both null (complete and release clear the claim, a takeover clears the answer), so && and || agree
    const finished = row.response_status !== null && row.claimed_until === null;
    if (finished && !(row.response_status === RESUMABLE_STATUS && row.order_id)) {
      return {
        kind: "replay",
        response: { status: row.response_status!, body: row.response_body },
      };
    }
    // A resumable 503, or a claim whose holder died: carry on with the same order, if any.
    // Stryker disable next-line ObjectLiteral: `{}` leaves `fresh` undefined, which takeOver reads as false
    await this.takeOver(client, claim, requestHash, { fresh: false });
    return row.order_id
      ? { kind: "claimed", claim, orderId: row.order_id }
      : { kind: "claimed", claim };
  }

  private async takeOver(
    client: PoolClient,
    claim: IdempotencyClaim,
    requestHash: string,
    { fresh }: { fresh: boolean },
  ): Promise<void> {
    const restart = fresh
      ? ", order_id = NULL, created_at = now(), expires_at = now() + make_interval(secs => $6)"
      : "";
    const params = [
      claim.customerId,
      claim.key,
      requestHash,
      claim.token,
      this.options.claimTimeoutMs,
    ];
    await client.query(
      `UPDATE idempotency_keys
       SET request_hash = $3, claim_token = $4,
           claimed_until = now() + make_interval(secs => $5 / 1000.0),
           response_status = NULL, response_body = NULL ${restart}
       WHERE customer_id = $1 AND key = $2`,
      fresh ? [...params, this.options.ttlS] : params,
    );
  }
}
