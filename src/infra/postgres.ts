import { Pool } from "pg";
import type { Config } from "../config";
import type { Logger } from "./logger";

export function createPostgresPool(
  settings: Config["database"],
  logger: Logger,
  applicationName = "order-service",
): Pool {
  const pool = new Pool({
    connectionString: settings.url,
    application_name: applicationName,
    // Bounded: replicas x max must stay below the server's max_connections (docs/capacity.md).
    max: settings.poolMax,
    // Fail a request fast (503) instead of queueing it behind a dead database.
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // The server cancels runaway queries; the client-side timeout catches a silent network.
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle client losing its connection (database restart, failover) emits 'error' on the
  // pool; without this listener that event would crash the process.
  pool.on("error", (error) => logger.warn({ err: error }, "idle Postgres client failed"));
  return pool;
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up)
  "53300", // too_many_connections
  // query_canceled: statement_timeout hit, e.g. waiting on a row lock under load. Retrying
  // later is the right advice, so 503 rather than 500.
  "57014",
]);

/** Whether an error means "the database is unreachable" (503) rather than a bug (500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_ERROR_CODES.has(code) || code.startsWith("08"))) {
    return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout/i.test(
    error.message,
  );
}
