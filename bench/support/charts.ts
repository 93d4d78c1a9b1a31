// The bench's charts: Vega-Lite specifications rendered to SVG without a browser (vega's
// headless View), written under docs/benchmarks/ where docs/benchmarks.md shows them.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./child-processes";

export const CHART_DIRECTORY = path.join(PROJECT_ROOT, "docs/benchmarks");

/** A Vega-Lite top-level specification (kept loose: vega-lite checks it when compiling). */
export type ChartSpec = Record<string, unknown>;

/** Renders `spec` and writes it as `<name>.svg`; returns the file's path. */
export async function writeChart(name: string, spec: ChartSpec): Promise<string> {
  // ESM-only packages, loaded only by the run that draws.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 480,
    height: 260,
    background: "white",
    ...spec,
  } as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(CHART_DIRECTORY, { recursive: true });
  const file = path.join(CHART_DIRECTORY, `${name}.svg`);
  writeFileSync(file, `${svg}\n`);
  return file;
}
