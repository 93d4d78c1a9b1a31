// From the minutes to one answer: does anything grow? Least-squares slopes per minute, then
// thresholds wide enough for a shared machine's noise and narrow enough that a real leak
// (a steady megabyte a minute is 60 MB an hour) or a creeping tail latency trips them.
import { median } from "../support/stats";
import type { MinuteRow } from "./minute";
import { leastSquaresSlope, type Point } from "./slope";

/** The heap left after GC may grow by less than this per minute and still count as flat. */
export const HEAP_SLOPE_LIMIT_MB_PER_MIN = 1;
/** p99 may grow per minute by less than this share of its median and still count as flat. */
export const P99_SLOPE_LIMIT_SHARE_PER_MIN = 0.05;
/** From this many minutes on, minute 1 (JIT, pools, caches still filling) is left out. */
export const SKIP_WARM_UP_FROM_MINUTES = 3;

export type Verdict = "flat" | "growing" | "inconclusive";

export interface SoakTrend {
  /** The minutes the slopes are fitted over. */
  readonly fromMinute: number;
  readonly toMinute: number;
  readonly heapAfterGcMbPerMin: number;
  readonly rssMbPerMin: number;
  readonly p99MsPerMin: number;
  readonly medianP99Ms: number;
  readonly p99LimitMsPerMin: number;
  readonly verdict: Verdict;
  /** Why it is not flat (empty when it is). */
  readonly reasons: readonly string[];
}

export function soakTrend(rows: readonly MinuteRow[]): SoakTrend {
  const fitted = rows.length >= SKIP_WARM_UP_FROM_MINUTES ? rows.slice(1) : rows;
  const slopeOf = (figure: (row: MinuteRow) => number) =>
    leastSquaresSlope(fitted.map((row): Point => [row.minute, figure(row)]));
  const heapAfterGcMbPerMin = slopeOf((row) => row.heapAfterGcMb);
  const rssMbPerMin = slopeOf((row) => row.rssMb);
  const p99MsPerMin = slopeOf((row) => row.p99Ms);
  const medianP99Ms = median(fitted.map((row) => row.p99Ms));
  const p99LimitMsPerMin = P99_SLOPE_LIMIT_SHARE_PER_MIN * medianP99Ms;

  const reasons: string[] = [];
  if (heapAfterGcMbPerMin >= HEAP_SLOPE_LIMIT_MB_PER_MIN) {
    reasons.push(`heap after GC grows ${heapAfterGcMbPerMin.toFixed(2)} MB/min`);
  }
  if (p99MsPerMin >= p99LimitMsPerMin) {
    reasons.push(`p99 grows ${p99MsPerMin.toFixed(2)} ms/min`);
  }
  const unknown = [heapAfterGcMbPerMin, p99MsPerMin, p99LimitMsPerMin].some(Number.isNaN);
  return {
    fromMinute: fitted[0]?.minute ?? Number.NaN,
    toMinute: fitted.at(-1)?.minute ?? Number.NaN,
    heapAfterGcMbPerMin,
    rssMbPerMin,
    p99MsPerMin,
    medianP99Ms,
    p99LimitMsPerMin,
    // A growth seen is reported even when another figure is missing; flat needs them all.
    verdict: reasons.length > 0 ? "growing" : unknown ? "inconclusive" : "flat",
    reasons,
  };
}
