// The chaos scenario, shared by test/e2e/consistency.test.ts (bounded) and `npm run chaos`
// (longer): two replicas under load from well-behaved clients while a seeded schedule of
// faults runs; then the faults stop, the clients finish every open order, each finished
// order is replayed once, reconcile settles what is pending, and the invariants are checked.
// Every wait is bounded; everything started is stopped on every way out.
import { ChaosClient, chaosCustomer } from "./chaos-client";
import { ChaosLog, type Tally } from "./chaos-log";
import { startChaosStack, type ChaosStack } from "./chaos-stack";
import {
  countBy,
  countPendingOrders,
  readDatabase,
  readLedger,
  type DatabaseSnapshot,
} from "./evidence";
import { FaultRunner, type FaultFigures } from "./fault-runner";
import { planFaults, type FaultPlan } from "./fault-schedule";
import { checkInvariants } from "./invariants";
import { fiveXxFromTheStoringAttempt } from "./late-5xx";
import { reconcileUntilSettled, type ReconcileRound } from "./reconcile-rounds";
import { SeededRandom } from "./seeded-random";
import type { ViolationList } from "./violations";

export interface ChaosOptions {
  readonly seed: number;
  readonly loadSeconds: number;
  readonly clients: number;
  /** Phase changes, for a human watching (`npm run chaos`). */
  readonly progress?: (message: string) => void;
}

export interface ReplicaFigures {
  readonly name: string;
  readonly kills: number;
  readonly restarts: number;
  readonly crashes: number;
}

export interface ChaosResult {
  readonly options: Omit<ChaosOptions, "progress">;
  readonly durationMs: number;
  readonly plan: FaultPlan;
  readonly log: ChaosLog;
  readonly faults: FaultFigures;
  readonly replicas: readonly ReplicaFigures[];
  readonly finalAnswers: Tally;
  readonly ordersBeforeReconcile: Tally;
  readonly ordersAfter: Tally;
  readonly ledger: Tally;
  /** Charge requests the gateway answered from its ledger (a repeat of a stored charge). */
  readonly gatewayReplays: number;
  readonly reconcile: readonly ReconcileRound[];
  /** The replicas' warn/error/fatal log lines by message (all their processes). */
  readonly replicaWarnings: Tally;
  /** 5xx answers from the attempt that stored the order (late-5xx.ts): a figure to read. */
  readonly fiveXxFromStoringAttempt: readonly string[];
  readonly violations: ViolationList;
  /** Problems of the harness itself (not the service's): they make a run inconclusive. */
  readonly harnessProblems: readonly string[];
}

const REPLICAS = 2;
const READY_TIMEOUT_MS = 20_000;
const SETTLE_TIMEOUT_MS = 25_000;
const RECONCILE_ROUNDS = 5;

const byStatus = (snapshot: DatabaseSnapshot) =>
  countBy(snapshot.orders.values(), (order) => order.status);

async function waitUntilReady(stack: ChaosStack, violations: ViolationList): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (const replica of stack.replicas) {
    while (!(await replica.isReady())) {
      if (performance.now() > deadline) {
        violations.add(
          "replica not ready again after the faults stopped",
          `${replica.name} within ${READY_TIMEOUT_MS} ms`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export async function runChaosScenario(options: ChaosOptions): Promise<ChaosResult> {
  const progress = options.progress ?? (() => undefined);
  const started = performance.now();
  const loadMs = options.loadSeconds * 1000;
  const plan = planFaults(options.seed, loadMs, REPLICAS);
  const random = new SeededRandom(options.seed);
  const log = new ChaosLog();

  progress("starting Postgres/Redis proxies, fakes and two replicas");
  const stack = await startChaosStack(REPLICAS);
  try {
    // One customer per client, each with its own token from the identity provider.
    const tokens = await Promise.all(
      Array.from({ length: options.clients }, (_, id) => stack.identity.bearer(chaosCustomer(id))),
    );
    const clients = tokens.map(
      (token, id) => new ChaosClient(id, random.fork(100 + id), stack.replicas, log, token),
    );
    const faults = new FaultRunner(stack, plan);

    progress(`load: ${options.clients} clients for ${options.loadSeconds} s, faults on schedule`);
    const loadEnd = performance.now() + loadMs;
    faults.start();
    await Promise.all(clients.map((client) => client.placeOrdersUntil(loadEnd)));

    progress("faults stopped; waiting for both replicas to be ready");
    await faults.stop();
    await waitUntilReady(stack, log.violations);

    progress("clients finish their open orders");
    const settleEnd = performance.now() + SETTLE_TIMEOUT_MS;
    await Promise.all(clients.map((client) => client.finishOpenOrders(settleEnd)));

    progress("replaying every finished order once");
    await Promise.all(
      clients.map(async (client) => {
        for (const record of log.keys) {
          if (record.client === client.id && record.final) await client.replay(record);
        }
      }),
    );

    const beforeReconcile = await readDatabase(stack.database.url);
    progress("reconcile (RECONCILE_MIN_AGE_MS=0, database direct)");
    const reconcile = await reconcileUntilSettled(
      stack.directEnvironment,
      () => countPendingOrders(stack.database.url),
      RECONCILE_ROUNDS,
    );
    for (const round of reconcile) {
      if (round.exitCode !== 0) {
        log.violation("reconcile failed", `exit code ${round.exitCode}: ${round.stderr}`);
      }
    }

    progress("checking invariants");
    const [after, ledger] = await Promise.all([
      readDatabase(stack.database.url),
      readLedger(stack.payments.url),
    ]);
    const crashes = stack.replicas.flatMap((replica) => replica.crashes);
    checkInvariants({ log, beforeReconcile, after, ledger, crashes }, log.violations);

    return {
      options: { seed: options.seed, loadSeconds: options.loadSeconds, clients: options.clients },
      durationMs: performance.now() - started,
      plan,
      log,
      faults: faults.figures,
      replicas: stack.replicas.map((replica) => ({
        name: replica.name,
        kills: replica.kills,
        restarts: replica.restarts,
        crashes: replica.crashes.length,
      })),
      finalAnswers: countBy(
        log.keys.filter((record) => record.final),
        (record) => String(record.final!.status),
      ),
      ordersBeforeReconcile: byStatus(beforeReconcile),
      ordersAfter: byStatus(after),
      ledger: countBy(ledger, (entry) => String(entry.status)),
      gatewayReplays: ledger.reduce(
        (sum, entry) => sum + Math.max(0, (entry.requests ?? 1) - 1),
        0,
      ),
      reconcile,
      replicaWarnings: countBy(
        stack.replicas
          .flatMap((replica) => replica.processes)
          .flatMap((child) => child.logLines)
          .filter((line) => ["warn", "error", "fatal"].includes(String(line.level))),
        (line) => `${String(line.level)} "${String(line.msg)}"`,
      ),
      fiveXxFromStoringAttempt: fiveXxFromTheStoringAttempt(log, after),
      violations: log.violations,
      harnessProblems: [
        ...faults.figures.errors.map((error) => `fault injection failed: ${error}`),
        ...stack.replicas.flatMap((replica) => replica.harnessProblems),
      ],
    };
  } finally {
    progress("stopping everything");
    await stack.close();
  }
}
