// The printed result: one table of load figures, one of the targets with PASS/MISS.
import type { AuthCostFigures } from "../scenarios/auth-cost";
import type { LoadSummary } from "./load";

export interface TargetRow {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  /** Undefined for a figure shown for information, without a target. */
  readonly pass?: boolean;
}

/** A Markdown table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

export function loadTable(rows: readonly LoadSummary[]): string {
  return table(
    [
      "load (median of rounds)",
      "req/s",
      "p50 ms",
      "p99 ms",
      "server CPU us/req",
      "req/s per core",
      "failures",
    ],
    rows.map((row) => [
      row.name,
      row.reqPerSec.toFixed(0),
      String(row.p50Ms),
      String(row.p99Ms),
      row.cpuUsPerRequest.toFixed(0),
      (1e6 / row.cpuUsPerRequest).toFixed(0),
      String(row.failures),
    ]),
  );
}

export function authTable(rows: readonly AuthCostFigures[], rounds: number): string {
  return table(
    [
      `authentication, no HTTP (median of ${rounds} rounds)`,
      "calls/round",
      "CPU us/verify",
      "wall us/verify",
      "verifies/s per core",
    ],
    rows.map((row) => [
      row.name,
      String(row.calls),
      row.cpuUsPerVerify.toFixed(2),
      row.wallUsPerVerify.toFixed(2),
      (1e6 / row.cpuUsPerVerify).toFixed(0),
    ]),
  );
}

export function targetTable(rows: readonly TargetRow[]): string {
  return table(
    ["figure", "value", "target", "result"],
    rows.map((row) => [
      row.figure,
      row.value,
      row.target,
      row.pass === undefined ? "-" : row.pass ? "PASS" : "MISS",
    ]),
  );
}

export const ratio = (a: LoadSummary, b: LoadSummary) => a.reqPerSec / b.reqPerSec;
export const mb = (bytes: number) => bytes / 1024 / 1024;
