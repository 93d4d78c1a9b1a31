// The fault plan of a chaos run: a pure function of the seed and the load duration, so a run
// that found something can be replayed. Two lanes run side by side: the infrastructure
// (Postgres, Redis, a replica) and the payment gateway; within a lane faults take turns with
// quiet gaps in between, every kind once per round in a seeded order. One round of each lane
// takes at most 6 x 3.5 s (+ 1.5 s before the first): 30 s of load see every kind.
import { SeededRandom } from "./seeded-random";

export const INFRASTRUCTURE_FAULTS = [
  "postgres-backends-terminated",
  "postgres-link-refused",
  "postgres-link-blackholed",
  "redis-link-refused",
  "redis-link-blackholed",
  "replica-killed",
] as const;

export const PAYMENT_FAULTS = [
  "payment-errors",
  "payment-fail-next",
  "payment-timeouts",
  "payment-down",
  "payment-declines",
] as const;

export type FaultKind = (typeof INFRASTRUCTURE_FAULTS)[number] | (typeof PAYMENT_FAULTS)[number];

export interface PlannedFault {
  readonly kind: FaultKind;
  /** From the start of the load. */
  readonly atMs: number;
  /** How long the fault lasts (for a killed replica: how long it stays down). */
  readonly durationMs: number;
  /** Which replica (replica-killed only). */
  readonly replica?: number;
}

export interface FaultPlan {
  readonly infrastructure: readonly PlannedFault[];
  readonly payment: readonly PlannedFault[];
}

/** Faults end this long before the load does, so the last one resolves under load. */
const QUIET_TAIL_MS = 1500;

function planLane(
  random: SeededRandom,
  kinds: readonly FaultKind[],
  loadMs: number,
  replicaCount: number,
): PlannedFault[] {
  const faults: PlannedFault[] = [];
  let at = random.int(500, 1500);
  let nextReplica = random.int(0, replicaCount - 1);
  for (;;) {
    for (const kind of random.shuffle(kinds)) {
      const durationMs = kind === "replica-killed" ? random.int(300, 1200) : random.int(1000, 2000);
      if (at + durationMs > loadMs - QUIET_TAIL_MS) return faults;
      if (kind === "replica-killed") {
        faults.push({ kind, atMs: at, durationMs, replica: nextReplica });
        nextReplica = (nextReplica + 1) % replicaCount;
      } else {
        faults.push({ kind, atMs: at, durationMs });
      }
      at += durationMs + random.int(600, 1500);
    }
  }
}

export function planFaults(seed: number, loadMs: number, replicaCount: number): FaultPlan {
  const random = new SeededRandom(seed);
  return {
    infrastructure: planLane(random.fork(1), INFRASTRUCTURE_FAULTS, loadMs, replicaCount),
    payment: planLane(random.fork(2), PAYMENT_FAULTS, loadMs, replicaCount),
  };
}
