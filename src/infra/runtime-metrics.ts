// Gauges nobody updates per request: pool usage, Redis, breakers, the process itself.
// Sampled every REPORT_INTERVAL_MS by one unref'd timer (it never keeps the process alive).
import { monitorEventLoopDelay } from "node:perf_hooks";
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

  constructor(
    private readonly metrics: Metrics,
    private readonly sources: RuntimeMetricsSources,
  ) {}

  start(): void {
    this.#loopDelay.enable();
    this.#timer = setInterval(() => this.report(), REPORT_INTERVAL_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
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
    // Nanoseconds in the histogram; reset so each report covers its own interval.
    metrics.gauge("process.event_loop_delay_p99_ms", this.#loopDelay.percentile(99) / 1e6);
    this.#loopDelay.reset();
  }
}
