// The migration that scopes Idempotency-Keys to their caller keeps every record it finds:
// a key linked to an order goes to that order's customer, any other to nobody ('').
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { MIGRATIONS_DIR } from "../../src/infra/migrations";
import { createTestDatabase, type TestDatabase } from "../support/backing-services";

async function migrate(databaseUrl: string, direction: "up" | "down", count: number) {
  const { runner } = await import("node-pg-migrate");
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: "pgmigrations",
    direction,
    count,
    singleTransaction: true,
    log: () => undefined,
  });
}

describe("migration: Idempotency-Keys scoped to the customer", () => {
  let database: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url, "down", 1);
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it("gives each existing key its order's customer, and keys without an order to nobody", async () => {
    const orderId = randomUUID();
    await client.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency)
       VALUES ($1, 'customer-old', 'paid', 100, 'USD')`,
      [orderId],
    );
    await client.query(
      `INSERT INTO idempotency_keys (key, request_hash, order_id, response_status, response_body, expires_at)
       VALUES ('linked', 'h1', $1, 201, '{}', now() + interval '1 day'),
              ('unlinked', 'h2', NULL, 422, '{}', now() + interval '1 day')`,
      [orderId],
    );

    await migrate(database.url, "up", 1);

    const { rows } = await client.query(
      "SELECT key, customer_id, response_status FROM idempotency_keys ORDER BY key",
    );
    expect(rows).toEqual([
      { key: "linked", customer_id: "customer-old", response_status: 201 },
      { key: "unlinked", customer_id: "", response_status: 422 },
    ]);
    const primaryKey = await client.query(
      `SELECT array_agg(a.attname::text ORDER BY k.n) AS columns
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       WHERE i.indrelid = 'idempotency_keys'::regclass AND i.indisprimary`,
    );
    expect(primaryKey.rows[0].columns).toEqual(["customer_id", "key"]);
  });

  it("lets two customers hold the same key string afterwards", async () => {
    await client.query(
      `INSERT INTO idempotency_keys (customer_id, key, request_hash, response_status, expires_at)
       VALUES ('a', 'same', 'h', 201, now() + interval '1 day'),
              ('b', 'same', 'h', 201, now() + interval '1 day')`,
    );
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'same'",
    );
    expect(rows[0].n).toBe(2);
  });
});
