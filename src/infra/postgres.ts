import { Pool, type PoolClient, type QueryConfig } from "pg";
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

/** A client checked out with an 'error' listener that covers it until it is released. */
export interface GuardedCheckout {
  readonly client: PoolClient;
  /** The connection's failure while checked out, if it failed. */
  failure(): Error | undefined;
  /** Back to the pool; a client that failed (or `error`) is destroyed instead of reused. */
  release(error?: Error): void;
}

/**
 * Checks a client out of the pool, guarded for its whole checkout. pg-pool takes its own
 * 'error' listener off a client while it is checked out, so a connection that dies meanwhile
 * (failover, pg_terminate_backend, a restart) would emit an 'error' nobody hears, and that
 * crashes the process. The listener goes on inside pg-pool's callback, not after
 * `await pool.connect()`: the FATAL can arrive in the same socket read as the checkout and be
 * emitted before an awaiting caller resumes.
 */
export function checkOutGuarded(pool: Pool): Promise<GuardedCheckout> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client) => {
      if (error || !client) {
        reject(error ?? new Error("the pool handed out no client"));
        return;
      }
      let failure: Error | undefined;
      const onError = (connectionError: Error) => (failure ??= connectionError);
      client.on("error", onError);
      resolve({
        client,
        failure: () => failure,
        release: (workError) => {
          // release() puts pg-pool's idle listener back first, so the client is never unguarded.
          client.release(failure ?? workError);
          client.off("error", onError);
        },
      });
    });
  });
}

/**
 * Runs `work` on a guarded client (checkOutGuarded), for transactions and anything else that
 * needs one connection for several statements. When `work` throws, a transaction it left open
 * is rolled back; a client that failed is released with the error, which makes the pool
 * destroy it instead of handing it out again.
 */
export async function withPoolClient<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const checkout = await checkOutGuarded(pool);
  let rollbackError: Error | undefined;
  try {
    return await work(checkout.client);
  } catch (error) {
    if (!checkout.failure()) rollbackError = await rollBack(checkout.client);
    throw error;
  } finally {
    checkout.release(rollbackError);
  }
}

/** Runs `work` inside BEGIN ... COMMIT on one client (rolled back when it throws). */
export function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withPoolClient(pool, async (client) => {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  });
}

/** Ends a transaction `work` left open (harmless when none is); failing to is a broken client. */
async function rollBack(client: PoolClient): Promise<Error | undefined> {
  try {
    await client.query("ROLLBACK");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * `SELECT 1` that pg itself gives up on after `timeoutMs`; pool.query then releases the client
 * with that error, which destroys its connection rather than leave it busy with a hung query.
 */
export function pingPostgres(pool: Pool, timeoutMs: number): Promise<unknown> {
  // pg reads a per-query `query_timeout` (client.js); @types/pg does not list it.
  const query: QueryConfig & { query_timeout: number } = {
    text: "SELECT 1",
    query_timeout: timeoutMs,
  };
  return pool.query(query);
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
  // pg's own messages: no connection within connectionTimeoutMillis, a socket that ended, and
  // a query on a client whose connection failed while it was checked out.
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout|not queryable|Query read timeout/i.test(
    error.message,
  );
}
