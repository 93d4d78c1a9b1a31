// Real PostgreSQL and Redis for tests (no mocks). Every test file gets its own database,
// cloned from a migrated template, and its own Redis key prefix, so runs never collide.
import { randomBytes } from "node:crypto";
import { Client } from "pg";

export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";
/** The migrated template of this run (global-setup.ts sets TEST_RUN_ID before anything reads it). */
export function templateDatabase(): string {
  return `orders_template_${process.env.TEST_RUN_ID ?? "local"}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.href;
}

export async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `orders_test_${randomBytes(6).toString("hex")}`;
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`),
  );
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

export function uniqueRedisPrefix(): string {
  return `test:${randomBytes(6).toString("hex")}:`;
}
