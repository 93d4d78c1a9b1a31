// Atomic claims on Idempotency-Keys in Postgres (a row per key, locked while deciding), so two
// replicas receiving the same key at once cannot both act on it.
import type { Pool, PoolClient } from "pg";

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type Claim =
  /** The caller holds the key: do the work, then complete() or release(). */
  | { readonly kind: "claimed"; readonly orderId?: string }
  /** The work is done: answer exactly what was answered the first time. */
  | { readonly kind: "replay"; readonly response: StoredResponse }
  /** Same key, different body (422). */
  | { readonly kind: "mismatch" }
  /** Same key, first request still running (409). */
  | { readonly kind: "in-flight" };

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

export class IdempotencyStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  async claim(key: string, requestHash: string): Promise<Claim> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const claim = await this.decide(client, key, requestHash);
      await client.query("COMMIT");
      return claim;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys
       SET claimed_until = NULL, response_status = $2, response_body = $3
       WHERE key = $1`,
      [key, response.status, JSON.stringify(response.body)],
    );
  }

  /**
   * Gives the key up after a failure the client may retry: forgotten if no order was stored
   * (a retry starts afresh), otherwise left resumable (a retry charges that same order).
   */
  async release(key: string): Promise<void> {
    await this.pool.query(
      `WITH forgotten AS (DELETE FROM idempotency_keys WHERE key = $1 AND order_id IS NULL)
       UPDATE idempotency_keys
       SET claimed_until = NULL, response_status = ${RESUMABLE_STATUS}, response_body = NULL
       WHERE key = $1 AND order_id IS NOT NULL`,
      [key],
    );
  }

  /** Removes records past their expiry (reconcile runs this); returns how many. */
  async deleteExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(
      "DELETE FROM idempotency_keys WHERE expires_at <= now()",
    );
    return rowCount ?? 0;
  }

  private async decide(client: PoolClient, key: string, requestHash: string): Promise<Claim> {
    const inserted = await client.query(
      `INSERT INTO idempotency_keys (key, request_hash, claimed_until, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3 / 1000.0), now() + make_interval(secs => $4))
       ON CONFLICT (key) DO NOTHING`,
      [key, requestHash, this.options.claimTimeoutMs, this.options.ttlS],
    );
    if (inserted.rowCount === 1) return { kind: "claimed" };

    const { rows } = await client.query<KeyRow>(
      `SELECT request_hash, claimed_until, order_id, response_status, response_body,
              expires_at <= now() AS expired, claimed_until > now() AS claim_live
       FROM idempotency_keys WHERE key = $1 FOR UPDATE`,
      [key],
    );
    const row = rows[0]!;
    if (row.expired) {
      await this.takeOver(client, key, requestHash, { fresh: true });
      return { kind: "claimed" };
    }
    if (row.request_hash !== requestHash) return { kind: "mismatch" };
    if (row.claim_live) return { kind: "in-flight" };
    const finished = row.response_status !== null && row.claimed_until === null;
    if (finished && !(row.response_status === RESUMABLE_STATUS && row.order_id)) {
      return {
        kind: "replay",
        response: { status: row.response_status!, body: row.response_body },
      };
    }
    // A resumable 503, or a claim whose holder died: carry on with the same order, if any.
    await this.takeOver(client, key, requestHash, { fresh: false });
    return row.order_id ? { kind: "claimed", orderId: row.order_id } : { kind: "claimed" };
  }

  private async takeOver(
    client: PoolClient,
    key: string,
    requestHash: string,
    { fresh }: { fresh: boolean },
  ): Promise<void> {
    await client.query(
      `UPDATE idempotency_keys
       SET request_hash = $2,
           claimed_until = now() + make_interval(secs => $3 / 1000.0),
           response_status = NULL,
           response_body = NULL
           ${fresh ? ", order_id = NULL, created_at = now(), expires_at = now() + make_interval(secs => $4)" : ""}
       WHERE key = $1`,
      fresh
        ? [key, requestHash, this.options.claimTimeoutMs, this.options.ttlS]
        : [key, requestHash, this.options.claimTimeoutMs],
    );
  }
}
