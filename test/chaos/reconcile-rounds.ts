// Runs the `reconcile` admin process (dist/admin/reconcile.js, its own process as in
// production) against the database directly, round after round, until no pending order is
// left or the rounds run out.
import { cleanEnvironment, SpawnedProcess } from "../support/processes";

export interface ReconcileRound {
  readonly exitCode: number | null;
  /** The "reconcile finished" summary line (examined, paid, declined, stillPending, ...). */
  readonly summary?: Record<string, unknown>;
  readonly stderr: string;
}

const ROUND_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_ROUNDS_MS = 500;

export async function runReconcile(env: Record<string, string>): Promise<ReconcileRound> {
  const reconcile = new SpawnedProcess(
    "reconcile",
    "admin/reconcile.js",
    cleanEnvironment({ ...env, RECONCILE_MIN_AGE_MS: "0" }),
  );
  const timer = setTimeout(() => reconcile.kill("SIGKILL"), ROUND_TIMEOUT_MS);
  const status = await reconcile.exited;
  clearTimeout(timer);
  const summary = reconcile.logLines.find((line) => line.msg === "reconcile finished");
  return { exitCode: status.code, summary, stderr: reconcile.stderr.slice(-500) };
}

/** One round at least, then more until `pendingLeft()` is 0 or `maxRounds` ran. */
export async function reconcileUntilSettled(
  env: Record<string, string>,
  pendingLeft: () => Promise<number>,
  maxRounds: number,
): Promise<ReconcileRound[]> {
  const rounds = [await runReconcile(env)];
  while (rounds.length < maxRounds && (await pendingLeft()) > 0) {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_ROUNDS_MS));
    rounds.push(await runReconcile(env));
  }
  return rounds;
}
