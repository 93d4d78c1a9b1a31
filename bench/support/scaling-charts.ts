// The charts of the scaling scenarios, drawn from the figures of this run: one SVG per scenario
// under docs/benchmarks/, each a column of panels (one per measure, own y scale) sharing an x
// axis on a log scale, since the steps (1 .. 256 connections, 10^3 .. 10^6 orders) are powers.
import type { ConnectionScalingFigures } from "../scenarios/connection-scaling";
import type { PoolSizingFigures } from "../scenarios/pool-sizing";
import type { TableGrowthFigures } from "../scenarios/table-growth";
import { writeChart, type ChartSpec } from "./charts";

interface Point {
  readonly series: string;
  readonly x: number;
  readonly measure: string;
  readonly value: number;
}

function panels(
  title: string,
  points: readonly Point[],
  x: { title: string; values: readonly number[]; base: number },
): ChartSpec {
  return {
    title,
    height: 180,
    data: { values: points.filter((point) => Number.isFinite(point.value)) },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: x.title,
        scale: { type: "log", base: x.base, domain: [x.values[0], x.values.at(-1)] },
        axis: { values: x.values, format: "~s" },
      },
      y: { field: "value", type: "quantitative", title: null, scale: { zero: true } },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        legend: { orient: "bottom", labelLimit: 400 },
      },
      row: {
        field: "measure",
        type: "nominal",
        title: null,
        // The panels in the order the figures name them, not alphabetically.
        sort: [...new Set(points.map((point) => point.measure))],
        header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "bold" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}

export function connectionScalingChart(figures: ConnectionScalingFigures): ChartSpec {
  const points = figures.steps.flatMap((step): Point[] => [
    { series: step.load, x: step.connections, measure: "req/s", value: step.reqPerSec },
    { series: step.load, x: step.connections, measure: "p99 latency, ms", value: step.p99Ms },
    {
      series: step.load,
      x: step.connections,
      measure: "event-loop delay p99, ms",
      value: step.eventLoopDelayP99Ms ?? Number.NaN,
    },
  ]);
  return panels("Throughput and latency vs concurrent connections", points, {
    title: "concurrent connections (log scale)",
    values: [...new Set(figures.steps.map((step) => step.connections))],
    base: 2,
  });
}

export function poolSizingChart(figures: PoolSizingFigures): ChartSpec {
  const points = figures.rows.flatMap((row): Point[] => [
    { series: row.load, x: row.poolMax, measure: "req/s", value: row.summary.reqPerSec },
    { series: row.load, x: row.poolMax, measure: "p99 latency, ms", value: row.summary.p99Ms },
  ]);
  return panels(
    `Throughput vs PG_POOL_MAX at ${figures.settings.connections} connections`,
    points,
    {
      title: "PG_POOL_MAX (log scale)",
      values: [...new Set(figures.rows.map((row) => row.poolMax))],
      base: 10,
    },
  );
}

export function tableGrowthChart(figures: TableGrowthFigures): ChartSpec {
  const points = figures.steps.flatMap((step) =>
    (
      [
        ["GET /orders/:id", step.byId],
        ["GET /orders page 1", step.firstPage],
        ["GET /orders deep page (90% into the history)", step.deepPageLoad],
      ] as const
    ).flatMap(([series, summary]): Point[] => [
      { series, x: step.orders, measure: "p50 latency, ms", value: summary.p50Ms },
      { series, x: step.orders, measure: "p99 latency, ms", value: summary.p99Ms },
    ]),
  );
  return panels("Read latency vs orders in the table", points, {
    title: "orders in the table (log scale)",
    values: figures.steps.map((step) => step.orders),
    base: 10,
  });
}

/**
 * Writes connection-scaling.svg, pool-sizing.svg and table-growth.svg; returns their paths.
 * A --quick run names them *-quick.svg: its short steps must not replace the charts of a full
 * run that docs/benchmarks.md shows.
 */
export async function writeScalingCharts(
  scaling: ConnectionScalingFigures,
  pools: PoolSizingFigures,
  growth: TableGrowthFigures,
  quick: boolean,
): Promise<string[]> {
  const suffix = quick ? "-quick" : "";
  return [
    await writeChart(`connection-scaling${suffix}`, connectionScalingChart(scaling)),
    await writeChart(`pool-sizing${suffix}`, poolSizingChart(pools)),
    await writeChart(`table-growth${suffix}`, tableGrowthChart(growth)),
  ];
}
