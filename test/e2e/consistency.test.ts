// Consistency under chaos (test/chaos/chaos-scenario.ts, bounded): two real replicas, real
// Postgres and Redis behind cuttable proxies, eight well-behaved clients with
// Idempotency-Keys (each its own customer, with its own token from the dev identity
// provider), and a seeded schedule of faults (backends terminated, links cut, payment
// errors, timeouts and declines, a replica SIGKILLed). Afterwards no 500 was answered, no
// key made two orders, every order and key belongs to the customer whose token placed it,
// every charge matches exactly one settled order, and reconcile leaves nothing pending. CHAOS_SEED=n replays a schedule; CHAOS_REPORT=1 prints the
// figures even when the run passes. `npm run chaos` runs the same scenario for longer.
import { formatChaosReport } from "../chaos/chaos-report";
import { runChaosScenario, type ChaosResult } from "../chaos/chaos-scenario";
import { INFRASTRUCTURE_FAULTS, PAYMENT_FAULTS } from "../chaos/fault-schedule";
import { MAX_SEED, randomSeed } from "../chaos/seeded-random";

jest.setTimeout(90_000);

const LOAD_SECONDS = 30;
function seedFromEnvironment(text = process.env.CHAOS_SEED): number {
  if (!text) return randomSeed();
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) {
    throw new Error(`CHAOS_SEED must be a whole number from 0 to ${MAX_SEED}, got "${text}"`);
  }
  return Number(text);
}
const seed = seedFromEnvironment();

let result: ChaosResult;

beforeAll(async () => {
  result = await runChaosScenario({ seed, loadSeconds: LOAD_SECONDS, clients: 8 });
});

afterAll(() => {
  const failed = !result || result.violations.total > 0 || result.harnessProblems.length > 0;
  if (failed || process.env.CHAOS_REPORT) {
    process.stderr.write(
      result ? `${formatChaosReport(result)}\n` : `chaos run (seed ${seed}) did not finish\n`,
    );
  }
});

describe(`two replicas under a seeded fault schedule (seed ${seed})`, () => {
  it("actually ran load and injected faults (the harness did its job)", () => {
    expect(result.harnessProblems).toEqual([]);
    expect(result.log.keys.length).toBeGreaterThan(50);
    expect(Object.keys(result.faults.injected).sort()).toEqual(
      [...INFRASTRUCTURE_FAULTS, ...PAYMENT_FAULTS].sort(),
    );
    expect(result.faults.backendsTerminated).toBeGreaterThan(0);
    expect(result.ordersAfter.paid).toBeGreaterThan(0);
  });

  it("never answered 500", () => {
    expect(result.log.answers["500"] ?? 0).toBe(0);
    expect(result.log.replayAnswers["500"] ?? 0).toBe(0);
  });

  it("keeps every invariant (violations = 0)", () => {
    const violations = result.violations.entries.map(
      (entry) => `${entry.count} x ${entry.rule}; e.g. ${entry.examples[0]}`,
    );
    expect(violations).toEqual([]);
  });
});
