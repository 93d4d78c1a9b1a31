// Metrics as StatsD over UDP (fire-and-forget) with DogStatsD tags; the statsd-exporter
// sidecar turns them into Prometheus metrics (k8s/base/statsd-mapping.yaml). Code depends on
// this small interface; with no STATSD_HOST it is a set of empty functions that cost nothing.
import StatsD from "hot-shots";
import type { Logger } from "./logger";

export type Tags = Record<string, string>;

export interface Metrics {
  increment(name: string, tags?: Tags): void;
  gauge(name: string, value: number, tags?: Tags): void;
  /** Milliseconds. */
  timing(name: string, ms: number, tags?: Tags): void;
  close(): Promise<void>;
}

export const noMetrics: Metrics = {
  increment: () => undefined,
  gauge: () => undefined,
  timing: () => undefined,
  close: () => Promise.resolve(),
};

// Below a typical 1500-byte MTU after IP/UDP headers, so a flush is one unfragmented datagram.
const MAX_DATAGRAM_BYTES = 1400;
// A quiet process still reports within a second.
const FLUSH_INTERVAL_MS = 1000;
export const STATSD_DNS_TTL_MS = 5000;

export interface StatsdSettings {
  readonly host: string;
  readonly port: number;
}

export function createStatsdMetrics(settings: StatsdSettings, logger: Logger): Metrics {
  let lastErrorLogged = 0;
  const client = new StatsD({
    host: settings.host,
    port: settings.port,
    protocol: "udp",
    // No DD_* environment tags: these metrics go to a plain statsd-exporter, not a Datadog agent.
    includeDataDogTags: false,
    // Batch many metrics per datagram: one syscall per flush instead of one per metric.
    maxBufferSize: MAX_DATAGRAM_BYTES,
    bufferFlushInterval: FLUSH_INTERVAL_MS,
    // One lookup per few seconds, not per flush; short, since the exporter's address changes
    // whenever its container restarts (a minute of lost metrics with the 60 s default).
    cacheDns: true,
    cacheDnsTtl: STATSD_DNS_TTL_MS,
    errorHandler: (error) => {
      // A missing sidecar must not flood the log: at most one line a minute.
      if (Date.now() - lastErrorLogged < 60_000) return;
      lastErrorLogged = Date.now();
      logger.warn({ err: error }, "sending metrics failed");
    },
  });
  return {
    increment: (name, tags) => client.increment(name, 1, tags),
    gauge: (name, value, tags) => client.gauge(name, value, tags),
    timing: (name, ms, tags) => client.timing(name, ms, tags),
    close: () => new Promise((resolve) => client.close(() => resolve())),
  };
}
