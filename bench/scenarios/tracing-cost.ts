// The cost of tracing, in one run, A B C D A B C D: the service as shipped with no OTLP
// endpoint (no SDK loaded); the same service answering requests that carry a caller's
// traceparent (propagation only: the context is continued and the upstream calls carry it); a
// service exporting to a local OTLP sink with the sampler the Kubernetes tracing component
// deploys (a tenth of the traces that start here), answering requests without a traceparent;
// and that service answering requests from sampled callers, so that every request's spans are
// exported. For GET /health/live, GET /orders/:id and POST /orders.
import { randomBytes } from "node:crypto";
import type autocannon from "autocannon";
import type { SeededOrder } from "../support/bench-database";
import { stopChild } from "../support/child-processes";
import { bearersFor } from "../support/identity-provider";
import { measureInterleaved, type LoadSummary } from "../support/load";
import { deployedSamplerEnvironment } from "../support/deployed-sampler";
import { startOtlpSink } from "../support/otlp-sink";
import { startService, type RunningServer, type ServiceSetup } from "../support/service";
import { LIVENESS_LOAD } from "./liveness";
import { ORDER_CREATE_LOAD, placeEach } from "./order-create";
import { ORDER_READ_LOAD, readEach } from "./order-read";

export type TracingRows = readonly [
  off: LoadSummary,
  propagation: LoadSummary,
  deployed: LoadSummary,
  everyRequest: LoadSummary,
];

export interface TracingCostFigures {
  /** Probes make no spans: what is left is the instrumentation's hook on every request. */
  readonly live: TracingRows;
  readonly read: TracingRows;
  readonly write: TracingRows;
  /** OTLP requests and bytes the exporting service sent during the loads. */
  readonly exported: { readonly requests: number; readonly bytes: number };
}

const traceparent = () =>
  `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;

export const withTraceparent = (on: boolean) =>
  on ? () => ({ traceparent: traceparent() }) : undefined;

export async function benchTracingCost(
  service: RunningServer,
  setup: ServiceSetup,
  orders: readonly SeededOrder[],
  readBearers: ReadonlyMap<string, string>,
): Promise<TracingCostFigures> {
  const sink = await startOtlpSink();
  const traced = await startService(setup, "service (tracing on)", {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_SERVICE_NAME: "order-service-bench",
    ...deployedSamplerEnvironment(),
  });
  const writeBearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: 100 }, (_, index) => `bench-traced-customer-${index}`),
  );
  const four = (load: (withTrace: boolean) => autocannon.Request[], label: string) => [
    {
      name: `${label}  tracing off`,
      url: service.url,
      pid: service.child.pid,
      requests: load(false),
    },
    {
      name: `${label}  propagation only`,
      url: service.url,
      pid: service.child.pid,
      requests: load(true),
    },
    {
      name: `${label}  tracing on, as deployed`,
      url: traced.url,
      pid: traced.child.pid,
      requests: load(false),
    },
    {
      name: `${label}  tracing on, all sampled`,
      url: traced.url,
      pid: traced.child.pid,
      requests: load(true),
    },
  ];
  const probe = (extraHeaders?: () => Record<string, string>): autocannon.Request[] => [
    {
      method: "GET",
      path: "/health/live",
      setupRequest: (r) => ({ ...r, headers: extraHeaders?.() ?? {} }),
    },
  ];
  try {
    const live = await measureInterleaved(
      four((on) => probe(withTraceparent(on)), "GET /health/live"),
      LIVENESS_LOAD,
    );
    const read = await measureInterleaved(
      four((on) => readEach(orders, readBearers, withTraceparent(on)), "GET /orders/:id"),
      ORDER_READ_LOAD,
    );
    const write = await measureInterleaved(
      four((on) => placeEach(writeBearers, withTraceparent(on)), "POST /orders"),
      ORDER_CREATE_LOAD,
    );
    return {
      live: [live[0]!, live[1]!, live[2]!, live[3]!],
      read: [read[0]!, read[1]!, read[2]!, read[3]!],
      write: [write[0]!, write[1]!, write[2]!, write[3]!],
      exported: { requests: sink.exports(), bytes: sink.bytes() },
    };
  } finally {
    await stopChild(traced.child);
    await sink.close();
  }
}
