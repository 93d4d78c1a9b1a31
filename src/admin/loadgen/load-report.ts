// What the load saw, as the one JSON line the load generator prints: answers by status, the
// requests that got no answer by reason, and latency percentiles of the answered ones.

/** How one request ended: an HTTP status, or why there was none (ECONNREFUSED, timeout, ...). */
export type Outcome =
  { readonly status: number; readonly latencyMs: number } | { readonly error: string };

export interface LoadReport {
  readonly url: string;
  readonly seconds: number;
  readonly rate: number;
  readonly requests: number;
  /** Answers by HTTP status, e.g. { "200": 480, "201": 120 }. */
  readonly statuses: Record<string, number>;
  /** Answers whose status is not 2xx. */
  readonly non2xx: number;
  /** Requests that got no HTTP answer at all, by reason in `errors`. */
  readonly connectionErrors: number;
  readonly errors: Record<string, number>;
  /** Of answered requests, nearest-rank percentiles, 0.1 ms resolution; null with no answer. */
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number } | null;
  /** True when a signal stopped the load before its --seconds were up. */
  readonly stoppedEarly: boolean;
}

export function summarise(
  run: { url: string; seconds: number; rate: number; stoppedEarly: boolean },
  outcomes: readonly Outcome[],
): LoadReport {
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  for (const outcome of outcomes) {
    if ("status" in outcome) {
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      latencies.push(outcome.latencyMs);
    } else {
      errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
    }
  }
  latencies.sort((a, b) => a - b);
  const percentile = (q: number) =>
    Math.round((latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] ?? 0) * 10) / 10;
  return {
    ...run,
    requests: outcomes.length,
    statuses,
    non2xx: Object.entries(statuses)
      .filter(([status]) => !status.startsWith("2"))
      .reduce((sum, [, n]) => sum + n, 0),
    connectionErrors: outcomes.length - latencies.length,
    errors,
    latencyMs:
      latencies.length === 0
        ? null
        : { p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99), max: percentile(1) },
  };
}

/** A rollout passes when every request was answered with a 2xx. */
export const everyRequestSucceeded = (report: LoadReport): boolean =>
  report.requests > 0 && report.non2xx === 0 && report.connectionErrors === 0;
