// The soak prints a row as each minute ends (a four-hour run should show its drift while it
// runs, not only at the end), so the columns are fixed-width rather than sized to the data.
import type { MinuteRow } from "./minute";
import {
  HEAP_SLOPE_LIMIT_MB_PER_MIN,
  P99_SLOPE_LIMIT_SHARE_PER_MIN,
  SKIP_WARM_UP_FROM_MINUTES,
  type SoakTrend,
} from "./trend";

const COLUMNS = [
  ["minute", 6],
  ["req/s", 7],
  ["p50 ms", 7],
  ["p99 ms", 7],
  ["non-2xx/errors", 14],
  ["RSS MB", 7],
  ["heap after GC MB", 16],
  ["heap last MB", 12],
  ["loop p99 ms", 11],
  ["CPU us/req", 10],
] as const;

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : "n/a";

const line = (cells: readonly string[]) =>
  cells.map((cell, index) => cell.padStart(COLUMNS[index]![1])).join("  ");

export function tableHeader(): string {
  const header = line(COLUMNS.map(([title]) => title));
  return `${header}\n${"-".repeat(header.length)}`;
}

export function tableRow(row: MinuteRow): string {
  return line([
    String(row.minute),
    fixed(row.reqPerSec, 0),
    fixed(row.p50Ms, 1),
    fixed(row.p99Ms, 1),
    `${row.non2xx}/${row.errors}`,
    fixed(row.rssMb, 1),
    fixed(row.heapAfterGcMb, 1),
    fixed(row.heapLastMb, 1),
    fixed(row.loopDelayP99Ms, 1),
    fixed(row.cpuUsPerRequest, 0),
  ]);
}

const signed = (value: number, digits: number) =>
  Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${value.toFixed(digits)}` : "n/a";

export function trendLines(trend: SoakTrend, minutes: number): string[] {
  const limits =
    `flat = heap after GC slope < ${HEAP_SLOPE_LIMIT_MB_PER_MIN} MB/min and p99 slope < ` +
    `${P99_SLOPE_LIMIT_SHARE_PER_MIN * 100}% of the median p99 per minute ` +
    `(${fixed(trend.p99LimitMsPerMin, 2)} ms/min)`;
  const why =
    trend.verdict === "growing"
      ? ` (${trend.reasons.join(", ")})`
      : trend.verdict === "inconclusive"
        ? " (a slope needs two minutes with readings)"
        : "";
  const warmUp =
    minutes >= SKIP_WARM_UP_FROM_MINUTES
      ? "minute 1 left out as warm-up"
      : `warm-up included: fewer than ${SKIP_WARM_UP_FROM_MINUTES} minutes`;
  const span =
    trend.fromMinute === trend.toMinute
      ? `minute ${trend.fromMinute}`
      : `minutes ${trend.fromMinute}-${trend.toMinute}`;
  return [
    `slope per minute, least squares over ${span} (${warmUp}):`,
    `  heap after GC  ${signed(trend.heapAfterGcMbPerMin, 2)} MB/min`,
    `  RSS            ${signed(trend.rssMbPerMin, 2)} MB/min`,
    `  p99            ${signed(trend.p99MsPerMin, 2)} ms/min (median p99 ${fixed(trend.medianP99Ms, 1)} ms)`,
    `threshold: ${limits}`,
    `verdict: ${trend.verdict}${why}`,
  ];
}
