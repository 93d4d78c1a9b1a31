// docs/benchmarks/soak.json: the minutes as measured plus the settings and the machine, so a
// later run can be compared with this one (or charted again) without re-running hours of load.
import { writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { CHART_DIRECTORY } from "../support/charts";
import type { MinuteRow } from "./minute";
import type { SoakTrend } from "./trend";

export interface SoakSettings {
  readonly minutes: number;
  readonly connections: number;
  readonly readsPerWrite: number;
  readonly seededOrders: number;
  readonly orderingCustomers: number;
}

export function writeResults(
  settings: SoakSettings,
  rows: readonly MinuteRow[],
  trend: SoakTrend,
): string {
  const file = path.join(CHART_DIRECTORY, "soak.json");
  const document = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim(),
      totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    },
    settings,
    // JSON has no NaN: a figure that was not measured (no gauge that minute) becomes null.
    rows,
    trend,
  };
  mkdirSync(CHART_DIRECTORY, { recursive: true });
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}
