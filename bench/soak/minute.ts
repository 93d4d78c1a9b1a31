// One minute of the soak: a 60-second autocannon run of its own, so every minute has its own
// latency histogram (one long run would give one p99 for the whole soak and hide a drift),
// plus what the service itself said about that minute through its runtime gauges.
import autocannon from "autocannon";
import { cpuSeconds } from "../support/cpu-time";
import { mb } from "../support/report";
import { readRss } from "../support/rss";
import type { GaugeReading, GaugeSink } from "../support/statsd-sink";

export const MINUTE_S = 60;

// As src/infra/runtime-metrics.ts names them; the service's StatsD client adds no prefix.
const HEAP_USED_GAUGE = "process.heap_used_bytes";
const HEAP_AFTER_GC_GAUGE = "process.heap_after_gc_bytes";
const LOOP_DELAY_GAUGE = "process.event_loop_delay_p99_ms";

export interface MinuteRow {
  readonly minute: number;
  /** 2xx responses per second. */
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Non-2xx answers by status code, to tell a 429 from a 500 afterwards. */
  readonly non2xxByStatus: Readonly<Record<string, number>>;
  /** The service's resident set size at the end of the minute. */
  readonly rssMb: number;
  /**
   * The heap the minute's last full collection left (the service's heap_after_gc gauge): what
   * a leak grows; the heap's other values only follow the allocation rate. NaN when no full
   * collection has happened yet.
   */
  readonly heapAfterGcMb: number;
  /** The minute's last heap-used gauge. */
  readonly heapLastMb: number;
  /** The highest of the minute's event-loop delay p99 gauges (each covers 10 s). */
  readonly loopDelayP99Ms: number;
  /** CPU time (user + system) of the service per response, microseconds. */
  readonly cpuUsPerRequest: number;
}

export interface MinuteTarget {
  readonly url: string;
  readonly pid: number;
  readonly connections: number;
  readonly requests: autocannon.Request[];
  readonly gauges: GaugeSink;
}

function between(readings: readonly GaugeReading[], fromMs: number, toMs: number): number[] {
  return readings
    .filter((reading) => reading.receivedAtMs >= fromMs && reading.receivedAtMs <= toMs)
    .map((reading) => reading.value);
}

export async function runMinute(minute: number, target: MinuteTarget): Promise<MinuteRow> {
  const cpuBefore = cpuSeconds(target.pid);
  const fromMs = performance.now();
  const result = await autocannon({
    url: target.url,
    connections: target.connections,
    duration: MINUTE_S,
    timeout: 10,
    requests: target.requests,
  });
  const toMs = performance.now();
  const cpuUsed = cpuSeconds(target.pid) - cpuBefore;
  const heap = between(target.gauges.readings(HEAP_USED_GAUGE), fromMs, toMs);
  const afterGc = between(target.gauges.readings(HEAP_AFTER_GC_GAUGE), fromMs, toMs);
  const loopDelay = between(target.gauges.readings(LOOP_DELAY_GAUGE), fromMs, toMs);
  const non2xxByStatus = Object.fromEntries(
    Object.entries(result.statusCodeStats)
      .filter(([status]) => !status.startsWith("2"))
      .map(([status, { count }]) => [status, count]),
  );
  return {
    minute,
    reqPerSec: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    non2xxByStatus,
    rssMb: mb(readRss(target.pid)?.totalBytes ?? Number.NaN),
    heapAfterGcMb: afterGc.length > 0 ? mb(afterGc.at(-1)!) : Number.NaN,
    heapLastMb: heap.length > 0 ? mb(heap.at(-1)!) : Number.NaN,
    loopDelayP99Ms: loopDelay.length > 0 ? Math.max(...loopDelay) : Number.NaN,
    cpuUsPerRequest: (cpuUsed * 1e6) / (result["2xx"] + result.non2xx),
  };
}
