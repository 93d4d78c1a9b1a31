// Gauges nobody updates per request: pool usage, Redis, breakers, the process itself.
// Sampled every REPORT_INTERVAL_MS by one unref'd timer (it never keeps the process alive).
import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type PerformanceEntry,
} from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import type { Metrics } from "./metrics";

export const REPORT_INTERVAL_MS = 10_000;

export const BREAKER_STATE_VALUES = { closed: 0, "half-open": 1, open: 2 } as const;

export interface RuntimeMetricsSources {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly breakers: readonly {
    readonly name: string;
    readonly state: keyof typeof BREAKER_STATE_VALUES;
  }[];
}

export class RuntimeMetricsReporter {
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 20 });
  #timer: NodeJS.Timeout | undefined;
  // What a full (mark-sweep-compact) collection left: the heap that is really kept. A leak
  // grows it; heap_used_bytes swings with the allocation rate between collections.
  #heapAfterMajorGc: number | undefined;
  readonly #gcObserver = new PerformanceObserver((list) => {
    const major = list.getEntries().some((entry) => {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
      return detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
    });
    // Read as the entry is delivered, just after the collection: the nearest a process gets.
    if (major) this.#heapAfterMajorGc = getHeapStatistics().used_heap_size;
  });

  constructor(
    private readonly metrics: Metrics,
    private readonly sources: RuntimeMetricsSources,
  ) {}

  start(): void {
    this.#loopDelay.enable();
    this.#gcObserver.observe({ entryTypes: ["gc"] });
    this.#timer = setInterval(() => this.report(), REPORT_INTERVAL_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
    this.#gcObserver.disconnect();
  }

  report(): void {
    const { metrics, sources } = this;
    metrics.gauge("pg.pool.total", sources.pool.totalCount);
    metrics.gauge("pg.pool.idle", sources.pool.idleCount);
    metrics.gauge("pg.pool.waiting", sources.pool.waitingCount);
    metrics.gauge("redis.up", sources.redis.status === "ready" ? 1 : 0);
    for (const breaker of sources.breakers) {
      metrics.gauge("breaker.state", BREAKER_STATE_VALUES[breaker.state], {
        breaker: breaker.name,
      });
    }
    metrics.gauge("process.uptime_seconds", Math.round(process.uptime()));
    metrics.gauge("process.heap_used_bytes", process.memoryUsage().heapUsed);
    if (this.#heapAfterMajorGc !== undefined) {
      metrics.gauge("process.heap_after_gc_bytes", this.#heapAfterMajorGc);
    }
    // Nanoseconds in the histogram; reset so each report covers its own interval.
    metrics.gauge("process.event_loop_delay_p99_ms", this.#loopDelay.percentile(99) / 1e6);
    this.#loopDelay.reset();
  }
}
