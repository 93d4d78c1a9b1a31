// `npm run migrate` / `node dist/admin/migrate.js`: applies pending SQL migrations and exits.
// Idempotent (a second run applies nothing) and safe to run concurrently (advisory lock).
import { parseMigrationConfig, readEnvironment } from "../config";
import { createLogger } from "../infra/logger";
import { applyMigrations } from "../infra/migrations";
import { parseAdminArguments, runAdminProcess } from "./run-admin-process";

runAdminProcess("migrate", async () => {
  parseAdminArguments("migrate (no arguments; configured by DATABASE_URL)", {});
  const config = parseMigrationConfig(readEnvironment());
  const logger = createLogger({ level: config.logLevel });
  const applied = await applyMigrations(config.databaseUrl, logger);
  logger.info(
    { applied, count: applied.length },
    applied.length ? "migrations applied" : "schema up to date",
  );
});
