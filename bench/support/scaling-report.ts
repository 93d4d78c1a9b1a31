// The printed tables of the scaling scenarios (connection scaling, pool sizing, table growth),
// in the Markdown layout of report.ts so they paste into docs/benchmarks.md as they are.
import { LATENCY_SLO_MS, type ConnectionScalingFigures } from "../scenarios/connection-scaling";
import type { PoolSizingFigures } from "../scenarios/pool-sizing";
import { PAGE_SIZE, type TableGrowthFigures } from "../scenarios/table-growth";
import type { LoadSummary } from "./load";
import { table } from "./report";

const fixed = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toFixed(digits) : "n/a";
/** Latencies: whole milliseconds as autocannon gives them, a median of two to one decimal. */
const ms = (value: number) => (Number.isInteger(value) ? String(value) : fixed(value, 1));

export function connectionScalingTable(figures: ConnectionScalingFigures): string {
  const rows = figures.steps.map((step) => [
    step.load,
    String(step.connections),
    fixed(step.reqPerSec),
    ms(step.p50Ms),
    ms(step.p99Ms),
    fixed(step.cpuUsPerRequest),
    step.eventLoopDelayP99Ms === undefined ? "n/a" : step.eventLoopDelayP99Ms.toFixed(1),
    fixed(step.durationS, 1),
    String(step.failures),
  ]);
  const breaches = [...figures.firstAboveSlo].map(([load, connections]) =>
    connections === undefined
      ? `${load}: none up to ${figures.maxConnections} connections`
      : `${load}: first at ${connections} connections`,
  );
  return [
    table(
      [
        "connection scaling (one step each)",
        "connections",
        "req/s",
        "p50 ms",
        "p99 ms",
        "server CPU us/req",
        "event-loop p99 ms",
        "step s",
        "failures",
      ],
      rows,
    ),
    `p99 above the ${LATENCY_SLO_MS} ms latency SLO: ${breaches.join("; ")}`,
    // Seen in the figures: 22 ms at 1 connection, whose requests take 5 ms at p99.
    "event-loop p99: the service's gauge as sent; Node's monitorEventLoopDelay times the " +
      "gaps between its 20 ms sampling timers, so about 20 ms of it is the sampling interval",
  ].join("\n");
}

export function poolSizingTable(figures: PoolSizingFigures): string {
  const { connections, rounds } = figures.settings;
  return [
    table(
      [
        `pool sizing, ${connections} connections (median of ${rounds})`,
        "PG_POOL_MAX",
        "req/s",
        "p99 ms",
        "failures",
        "W ms median / mean",
        "L = req/s x W",
        "L / pool",
      ],
      figures.rows.map((row) => [
        row.load,
        String(row.poolMax),
        fixed(row.summary.reqPerSec),
        ms(row.summary.p99Ms),
        String(row.summary.failures),
        `${row.queryTime.medianMs.toFixed(2)} / ${row.queryTime.meanMs.toFixed(2)}`,
        row.busyConnections.toFixed(2),
        `${((row.busyConnections / row.poolMax) * 100).toFixed(0)}%`,
      ]),
    ),
    "W: the time one request holds a pooled connection, timed from the bench on an idle " +
      "connection (query-time.ts); under load it is longer, so L is a lower bound",
  ].join("\n");
}

export function tableGrowthTable(figures: TableGrowthFigures): string {
  const { connections, rounds } = figures.settings;
  const row = (orders: number, what: string, summary: LoadSummary) => [
    String(orders),
    what,
    fixed(summary.reqPerSec),
    ms(summary.p50Ms),
    ms(summary.p99Ms),
    String(summary.failures),
  ];
  return [
    table(
      [
        "orders in table",
        `read, ${connections} connections (median of ${rounds})`,
        "req/s",
        "p50 ms",
        "p99 ms",
        "failures",
      ],
      figures.steps.flatMap((step) => [
        row(step.orders, "GET /orders/:id", step.byId),
        row(step.orders, "GET /orders page 1", step.firstPage),
        row(
          step.orders,
          `GET /orders page ${step.deepPage} (of ${Math.ceil(step.heavyOrders / PAGE_SIZE)})`,
          step.deepPageLoad,
        ),
      ]),
    ),
    "seeded in " +
      figures.steps
        .map((step) => `${step.seedSeconds.toFixed(1)} s (to ${step.orders})`)
        .join(", ") +
      "; the pages are those of the customer with the long history",
  ].join("\n");
}
