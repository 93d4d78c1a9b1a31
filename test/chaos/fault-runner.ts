// Carries out a fault plan against a chaos stack, lane by lane, and counts what it injected.
// stop() ends every fault at once (links restored, gateway healthy, killed replica back).
import { setTimeout as sleep } from "node:timers/promises";
import { withAdminClient } from "../support/backing-services";
import { terminateBackendsRepeatedly } from "./backend-terminator";
import type { ChaosStack } from "./chaos-stack";
import type { FaultKind, FaultPlan, PlannedFault } from "./fault-schedule";

/** Above PAYMENT_TIMEOUT_MS: the service gives up, the gateway still charges after the delay. */
const PAYMENT_TIMEOUT_LATENCY_MS = 800;
const TERMINATE_EVERY_MS = 200;

export interface FaultFigures {
  readonly injected: Partial<Record<FaultKind, number>>;
  /** Postgres backends ended by pg_terminate_backend. */
  backendsTerminated: number;
  /** Faults the runner could not inject (e.g. the gateway's control endpoint failed). */
  readonly errors: string[];
}

export class FaultRunner {
  readonly figures: FaultFigures = { injected: {}, backendsTerminated: 0, errors: [] };
  readonly #stop = new AbortController();
  #lanes: Promise<void> | undefined;

  constructor(
    private readonly stack: ChaosStack,
    private readonly plan: FaultPlan,
  ) {}

  /** Starts both lanes; times in the plan count from now. */
  start(): void {
    const startedAt = performance.now();
    this.#lanes = Promise.all([
      this.#runLane(this.plan.infrastructure, startedAt),
      this.#runLane(this.plan.payment, startedAt),
    ]).then(() => undefined);
  }

  /** Ends the fault in progress, waits for the lanes, and leaves every dependency healthy. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#lanes;
    this.stack.postgresProxy.restore();
    this.stack.redisProxy.restore();
    await this.#guard("reset", () => this.stack.payments.resetFaults());
    await Promise.all(this.stack.replicas.map((replica) => replica.settled()));
  }

  async #runLane(faults: readonly PlannedFault[], startedAt: number): Promise<void> {
    const signal = this.#stop.signal;
    for (const fault of faults) {
      const wait = startedAt + fault.atMs - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      this.figures.injected[fault.kind] = (this.figures.injected[fault.kind] ?? 0) + 1;
      await this.#guard(fault.kind, () => this.#inject(fault, signal));
    }
  }

  /** Applies one fault, keeps it for its duration (or until stop), then reverts it. */
  async #inject(fault: PlannedFault, signal: AbortSignal): Promise<void> {
    const hold = () => sleep(fault.durationMs, undefined, { signal }).catch(() => undefined);
    const { postgresProxy, redisProxy, replicas } = this.stack;
    switch (fault.kind) {
      case "postgres-backends-terminated": {
        const until = performance.now() + fault.durationMs;
        const { terminated } = await withAdminClient((admin) =>
          terminateBackendsRepeatedly(
            admin,
            this.stack.database.name,
            TERMINATE_EVERY_MS,
            signal,
            until,
          ),
        );
        this.figures.backendsTerminated += terminated;
        return;
      }
      case "postgres-link-refused":
      case "postgres-link-blackholed":
        postgresProxy.cut(fault.kind === "postgres-link-refused" ? "refuse" : "blackhole");
        await hold();
        postgresProxy.restore();
        return;
      case "redis-link-refused":
      case "redis-link-blackholed":
        redisProxy.cut(fault.kind === "redis-link-refused" ? "refuse" : "blackhole");
        await hold();
        redisProxy.restore();
        return;
      case "replica-killed":
        // Not cut short by stop(): the replica must come back either way.
        await replicas[fault.replica ?? 0]!.killAndRestart(fault.durationMs);
        return;
      case "payment-errors":
        return this.#paymentFault({ errorRate: 0.3, errorStatus: 503 }, hold);
      case "payment-fail-next":
        return this.#paymentFault({ failNext: 6, errorStatus: 500 }, hold);
      case "payment-timeouts":
        return this.#paymentFault({ latencyMs: PAYMENT_TIMEOUT_LATENCY_MS }, hold);
      case "payment-down":
        return this.#paymentFault({ down: true }, hold);
      case "payment-declines":
        return this.#paymentFault({ declineRate: 0.3 }, hold);
      default:
        fault.kind satisfies never;
    }
  }

  async #paymentFault(patch: Record<string, unknown>, hold: () => Promise<void>): Promise<void> {
    await this.stack.payments.setFaults(patch);
    await hold();
    await this.stack.payments.resetFaults();
  }

  async #guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.figures.errors.push(
        `${what}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
