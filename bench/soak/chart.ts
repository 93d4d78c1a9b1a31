// docs/benchmarks/soak.svg: the four figures a leak or a slowdown shows in, one panel each
// over the same minutes, each with its own scale (req/s in thousands, heap in tens of MB).
import { writeChart } from "../support/charts";
import type { MinuteRow } from "./minute";

const FIGURES = [
  ["req/s (2xx)", (row: MinuteRow) => row.reqPerSec],
  ["p99 ms", (row: MinuteRow) => row.p99Ms],
  ["RSS MB", (row: MinuteRow) => row.rssMb],
  ["heap after GC MB", (row: MinuteRow) => row.heapAfterGcMb],
] as const;

export function writeSoakChart(rows: readonly MinuteRow[], title: string): Promise<string> {
  // Long form, one value per figure and minute; a figure not measured that minute is left
  // out rather than drawn as a drop to zero.
  const values = rows.flatMap((row) =>
    FIGURES.map(([figure, value]) => ({
      minute: row.minute,
      figure,
      value: value(row),
    })).filter((point) => Number.isFinite(point.value)),
  );
  return writeChart("soak", {
    title,
    data: { values },
    height: 110,
    mark: { type: "line", point: true },
    encoding: {
      row: {
        field: "figure",
        type: "nominal",
        sort: FIGURES.map(([figure]) => figure),
        title: null,
        header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "bold" },
      },
      x: {
        field: "minute",
        type: "quantitative",
        title: "minute",
        axis: { tickMinStep: 1, format: "d" },
      },
      y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
    },
    resolve: { scale: { y: "independent" } },
  });
}
