// How cost grows with concurrency: GET /orders/:id and POST /orders (tokens on every request,
// as in order-read.ts and order-create.ts) at 1, 4, 16, 64 and 256 connections, with req/s,
// latency, server CPU per request and the service's own event-loop delay at each step. The
// service runs with metrics on, sent to a sink that reads its gauges: the event-loop p99 is
// what the service reports every 10 s (src/infra/runtime-metrics.ts), so each step runs from
// one report to the next and the report that ends a step covers that step alone.
import { setTimeout as sleep } from "node:timers/promises";
import { REPORT_INTERVAL_MS } from "../../src/infra/runtime-metrics";
import type { SeededOrder } from "../support/bench-database";
import { stopChild } from "../support/child-processes";
import { bearersFor } from "../support/identity-provider";
import type { LoadTarget } from "../support/load";
import { loadStep, type StepEnd, type StepFigures } from "../support/load-step";
import { startService, type ServiceSetup } from "../support/service";
import { startGaugeSink, type GaugeReading, type GaugeSink } from "../support/statsd-sink";
import { placeEach } from "./order-create";
import { readEach } from "./order-read";

export const EVENT_LOOP_GAUGE = "process.event_loop_delay_p99_ms";
/** The latency SLO: 99% of requests within 500 ms (k8s/components/prometheus-rules). */
export const LATENCY_SLO_MS = 500;

export const SCALING_LOADS = ["GET /orders/:id", "POST /orders"] as const;
export type ScalingLoad = (typeof SCALING_LOADS)[number];

export const CONNECTION_STEPS = [1, 4, 16, 64, 256] as const;
const QUICK_CONNECTION_STEPS = [1, 16, 256] as const;
/** --quick: fixed steps shorter than a report interval, so no event-loop figure. */
const QUICK_STEP_S = 3;
const WARM_UP_S = 2;
const IGNORE_REPORTS_MS = 0.8 * REPORT_INTERVAL_MS;
const WRITING_CUSTOMERS = 200;

export interface ScalingStep extends StepFigures {
  readonly load: ScalingLoad;
  readonly connections: number;
  /** The service's report covering this step; undefined when no report covered it alone. */
  readonly eventLoopDelayP99Ms: number | undefined;
}

export interface ConnectionScalingFigures {
  readonly steps: readonly ScalingStep[];
  /** Per load: the first connection count whose p99 exceeds LATENCY_SLO_MS, if any. */
  readonly firstAboveSlo: ReadonlyMap<ScalingLoad, number | undefined>;
  readonly maxConnections: number;
}

/**
 * Ends a step at the service's next report (a full run), or after QUICK_STEP_S (--quick).
 * When the previous step ended on a report, the next one is an interval away; a report sooner
 * than IGNORE_REPORTS_MS (only after a missed one) would cover the previous step, so it is
 * passed over for the one after it. The timeout's margin covers a late timer under load.
 */
function stepEnd(
  sink: GaugeSink,
  quick: boolean,
): { end: StepEnd; report?: Promise<GaugeReading | undefined> } {
  if (quick) return { end: { maxS: QUICK_STEP_S } };
  const timeoutMs = REPORT_INTERVAL_MS + 3000;
  const report = sleep(IGNORE_REPORTS_MS).then(() =>
    sink.next(EVENT_LOOP_GAUGE, timeoutMs - IGNORE_REPORTS_MS),
  );
  return { end: { maxS: timeoutMs / 1000 + 1, stop: report }, report };
}

export async function benchConnectionScaling(
  setup: ServiceSetup,
  orders: readonly SeededOrder[],
  readBearers: ReadonlyMap<string, string>,
  quick: boolean,
  log: (line: string) => void = console.log,
): Promise<ConnectionScalingFigures> {
  const sink = await startGaugeSink();
  const service = await startService(setup, "service (metrics to a gauge sink)", {
    STATSD_HOST: "127.0.0.1",
    STATSD_PORT: String(sink.port),
  });
  const writeBearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: WRITING_CUSTOMERS }, (_, index) => `bench-scaling-customer-${index}`),
  );
  const targets: Record<ScalingLoad, LoadTarget> = {
    "GET /orders/:id": {
      name: "GET /orders/:id",
      url: service.url,
      pid: service.child.pid,
      requests: readEach(orders, readBearers),
    },
    "POST /orders": {
      name: "POST /orders",
      url: service.url,
      pid: service.child.pid,
      requests: placeEach(writeBearers),
    },
  };
  const connectionSteps = quick ? QUICK_CONNECTION_STEPS : CONNECTION_STEPS;
  try {
    // Warm-up (JIT, pool, product cache, token cache) of both paths; in a full run it ends on
    // a report, so the first measured step starts where a reporting interval does.
    await loadStep(targets["GET /orders/:id"], 16, { maxS: quick ? 1 : WARM_UP_S });
    await loadStep(targets["POST /orders"], 16, { maxS: quick ? 1 : WARM_UP_S });
    if (!quick) {
      await loadStep(targets["POST /orders"], 16, {
        maxS: REPORT_INTERVAL_MS / 1000 + 3,
        stop: sink.next(EVENT_LOOP_GAUGE, REPORT_INTERVAL_MS + 2000),
      });
    }
    const steps: ScalingStep[] = [];
    for (const load of SCALING_LOADS) {
      for (const connections of connectionSteps) {
        const { end, report } = stepEnd(sink, quick);
        const figures = await loadStep(targets[load], connections, end);
        const reading = await report;
        const step = { ...figures, load, connections, eventLoopDelayP99Ms: reading?.value };
        steps.push(step);
        log(
          `  ${load.padEnd(16)} ${String(connections).padStart(3)} connections ` +
            `${figures.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${figures.p50Ms} ms  ` +
            `p99 ${figures.p99Ms} ms  CPU ${figures.cpuUsPerRequest.toFixed(0)} us/req  ` +
            `event loop p99 ${reading ? `${reading.value.toFixed(1)} ms` : "n/a"}  ` +
            `(${figures.durationS.toFixed(1)} s)` +
            `${figures.failures ? `  failures ${figures.failures}` : ""}`,
        );
      }
    }
    return {
      steps,
      firstAboveSlo: new Map(
        SCALING_LOADS.map((load) => [
          load,
          steps.find((step) => step.load === load && step.p99Ms > LATENCY_SLO_MS)?.connections,
        ]),
      ),
      maxConnections: connectionSteps.at(-1)!,
    };
  } finally {
    await stopChild(service.child);
    await sink.close();
  }
}
