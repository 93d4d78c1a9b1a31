// Runs once per jest project: creates the migrated template database the tests clone.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { applyMigrations } from "../../src/infra/migrations";
import { databaseUrl, templateDatabase, withAdminClient } from "./backing-services";

export default async function globalSetup(): Promise<void> {
  // Inherited by the test workers: shared by every project of this run, unique to it.
  process.env.TEST_RUN_ID ??= `${process.pid}_${randomBytes(3).toString("hex")}`;
  const template = templateDatabase();
  const exists = await withAdminClient(async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    return found.rowCount === 1;
  });
  if (exists) return;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${template}`));
  await applyMigrations(databaseUrl(template), pino({ level: "warn" }));
}
