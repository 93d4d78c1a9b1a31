// `pg_terminate_backend` on the service's own Postgres connections, as a failover, an
// operator or a restart would end them: the server closes them while they may be idle,
// checked out, or in the middle of a transaction.
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "pg";

const TERMINATE_SERVICE_BACKENDS = `
  SELECT count(*)::int AS terminated
  FROM (SELECT pg_terminate_backend(pid) AS done
        FROM pg_stat_activity
        WHERE datname = $1 AND application_name LIKE 'order-service%' AND pid <> pg_backend_pid()) t
  WHERE done`;

/** Terminates every connection of the service (and reconcile) to `database`; returns how many. */
export async function terminateServiceBackends(admin: Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ terminated: number }>(TERMINATE_SERVICE_BACKENDS, [
    database,
  ]);
  return rows[0]?.terminated ?? 0;
}

/**
 * Terminates the service's backends every `intervalMs` until `signal` aborts or, when given,
 * `untilMs` (a performance.now() time) passes; resolves with the number of backends terminated
 * and of rounds run. The window is a deadline checked here, not a timeout signal combined with
 * `signal`: a lane of the fault schedule must never wait on a timer it does not own.
 */
export async function terminateBackendsRepeatedly(
  admin: Client,
  database: string,
  intervalMs: number,
  signal: AbortSignal,
  untilMs = Number.POSITIVE_INFINITY,
): Promise<{ rounds: number; terminated: number }> {
  let rounds = 0;
  let terminated = 0;
  while (!signal.aborted && performance.now() < untilMs) {
    terminated += await terminateServiceBackends(admin, database);
    rounds += 1;
    const pause = Math.min(intervalMs, untilMs - performance.now());
    if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => undefined);
  }
  return { rounds, terminated };
}
