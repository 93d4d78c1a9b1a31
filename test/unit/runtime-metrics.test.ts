// The process gauges the reporter adds to every report: heap after a full collection only once
// V8 has made one, and then what that collection left.
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { noMetrics, type Metrics } from "../../src/infra/metrics";
import { RuntimeMetricsReporter } from "../../src/infra/runtime-metrics";
import { collectFully } from "../support/full-gc";

function reporterWithGauges() {
  const gauges: { name: string; value: number }[] = [];
  const metrics: Metrics = { ...noMetrics, gauge: (name, value) => gauges.push({ name, value }) };
  const reporter = new RuntimeMetricsReporter(metrics, {
    pool: { totalCount: 1, idleCount: 1, waitingCount: 0 } as Pool,
    redis: { status: "ready" } as Redis,
    breakers: [],
  });
  const reported = (name: string) => gauges.filter((gauge) => gauge.name === name);
  return { reporter, reported };
}

const delivered = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("the runtime metrics reporter", () => {
  it("reports the heap a full collection left, from the first full collection on", async () => {
    const { reporter, reported } = reporterWithGauges();
    reporter.start();
    try {
      reporter.report();
      expect(reported("process.heap_after_gc_bytes")).toEqual([]);

      collectFully();
      await delivered();
      reporter.report();
      const [afterGc] = reported("process.heap_after_gc_bytes");
      expect(afterGc?.value).toBeGreaterThan(1_000_000);
      expect(afterGc!.value).toBeLessThanOrEqual(reported("process.heap_used_bytes")[1]!.value);
    } finally {
      reporter.stop();
    }
  });

  it("stops watching collections when stopped", async () => {
    const { reporter, reported } = reporterWithGauges();
    reporter.start();
    reporter.stop();
    collectFully();
    await delivered();
    reporter.report();
    expect(reported("process.heap_after_gc_bytes")).toEqual([]);
  });
});
