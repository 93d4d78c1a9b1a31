// The figures of a chaos run as a compact two-column table, violations listed last.
import type { Tally } from "./chaos-log";
import type { ChaosResult } from "./chaos-scenario";

const tally = (counts: Tally | Partial<Record<string, number>>) => {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "-" : entries.map(([label, n]) => `${label} ${n}`).join(", ");
};

export function formatChaosReport(result: ChaosResult): string {
  const { options, log } = result;
  const keys = log.keys.length;
  const retried = log.keys.filter((record) => record.attempts > 1).length;
  const rows: [string, string][] = [
    [
      "seed",
      `${options.seed}  (replay: npm run chaos -- --seconds ${options.loadSeconds} --seed ${options.seed})`,
    ],
    [
      "load",
      `${options.loadSeconds} s, ${options.clients} clients, 2 replicas; run took ${(result.durationMs / 1000).toFixed(1)} s`,
    ],
    [
      "requests",
      `${log.requests} POST /orders for ${keys} Idempotency-Keys (${retried} retried at least once)`,
    ],
    ["answers", tally(log.answers)],
    ["answers while settling", tally(log.settleAnswers)],
    ["final answers", `${tally(result.finalAnswers)}; no final answer: ${log.gaveUp.length}`],
    ["replays", tally(log.replayAnswers)],
    ["unrecorded answers resumed", String(log.unrecordedAnswersResumed)],
    ["faults injected", tally(result.faults.injected)],
    ["backends terminated", String(result.faults.backendsTerminated)],
    [
      "replicas",
      result.replicas
        .map((r) => `${r.name}: ${r.kills} killed, ${r.crashes} crashed, ${r.restarts} restarts`)
        .join("; "),
    ],
    ["orders before reconcile", tally(result.ordersBeforeReconcile)],
    ["orders after reconcile", tally(result.ordersAfter)],
    [
      "gateway ledger",
      `${tally(result.ledger)}; replayed charge requests ${result.gatewayReplays}`,
    ],
    [
      "reconcile rounds",
      `${result.reconcile.length}: ` +
        result.reconcile
          .map((round) => {
            if (round.exitCode !== 0) return `exit ${round.exitCode}`;
            const figure = (name: string) =>
              `${name} ${JSON.stringify(round.summary?.[name] ?? "?")}`;
            return ["examined", "paid", "declined", "stillPending"].map(figure).join(" ");
          })
          .join(" | "),
    ],
  ];
  const warnings = Object.entries(result.replicaWarnings)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 8);
  rows.push([
    "replica log warnings",
    warnings.length === 0 ? "-" : warnings.map(([msg, n]) => `${n} x ${msg}`).join("; "),
  ]);
  const late = result.fiveXxFromStoringAttempt;
  rows.push([
    "5xx from the storing attempt",
    `${late.length} (order stored meanwhile, by created_at; a figure, not a violation)` +
      late
        .slice(0, 2)
        .map((example) => `; e.g. ${example}`)
        .join(""),
  ]);
  if (result.harnessProblems.length > 0) {
    rows.push(["harness problems", result.harnessProblems.join("; ")]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  lines.push(`${"violations".padEnd(width)}  ${result.violations.total}`);
  for (const entry of result.violations.entries) {
    lines.push(`  ${entry.count} x ${entry.rule}`);
    for (const example of entry.examples) lines.push(`      e.g. ${example.slice(0, 300)}`);
  }
  return lines.join("\n");
}
