// The statsd-exporter mapping covers every metric the app emits, with the names, types and
// labels dashboards rely on, and is valid by the exporter's own rules (pkg/mapper in
// prometheus/statsd_exporter: its regexes and keys are restated below).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { environmentSchema } from "../../src/config";
import { containerEnv } from "./support/container-env";
import { mountedFiles, statsdExporterContainer } from "./support/mounted-files";
import { describeRendered, findGenerated, render, repoRoot, targetNames } from "./support/render";
import { containerOf, podOf } from "./support/workloads";

const MAPPING_FILE = "k8s/base/statsd-mapping.yaml";

type StatsdType = "counter" | "gauge" | "timer";

/** What the app sends (hot-shots, no prefix, DogStatsD tags). The app side owns this list. */
const emitted: { statsd: string; type: StatsdType; tags: string[]; prometheus?: string }[] = [
  {
    statsd: "http.requests",
    type: "counter",
    tags: ["route", "method", "status_class"],
    prometheus: "http_requests_total",
  },
  {
    statsd: "http.request_duration",
    type: "timer",
    tags: ["route", "method", "status_class"],
    prometheus: "http_request_duration_seconds",
  },
  { statsd: "http.errors", type: "counter", tags: ["route"], prometheus: "http_errors_total" },
  { statsd: "breaker.state", type: "gauge", tags: ["breaker"] },
  { statsd: "breaker.transitions", type: "counter", tags: ["breaker", "to"] },
  { statsd: "retry.attempts", type: "counter", tags: ["upstream"] },
  { statsd: "retry.budget_refusals", type: "counter", tags: ["upstream"] },
  {
    statsd: "upstream.duration",
    type: "timer",
    tags: ["upstream", "outcome"],
    prometheus: "upstream_request_duration_seconds",
  },
  { statsd: "pg.pool.total", type: "gauge", tags: [] },
  { statsd: "pg.pool.idle", type: "gauge", tags: [] },
  { statsd: "pg.pool.waiting", type: "gauge", tags: [] },
  { statsd: "redis.up", type: "gauge", tags: [] },
  { statsd: "idempotency.replays", type: "counter", tags: [] },
  { statsd: "rate_limit.limited", type: "counter", tags: ["route"] },
  { statsd: "rate_limit.failed_open", type: "counter", tags: [] },
  { statsd: "process.uptime_seconds", type: "gauge", tags: [] },
  { statsd: "process.event_loop_delay_p99_ms", type: "gauge", tags: [] },
  { statsd: "process.heap_used_bytes", type: "gauge", tags: [] },
  { statsd: "process.heap_after_gc_bytes", type: "gauge", tags: [] },
];

interface Mapping {
  match: string;
  name: string;
  match_metric_type?: string;
  match_type?: string;
  observer_type?: string;
  labels?: Record<string, string>;
  histogram_options?: { buckets?: number[] };
  [key: string]: unknown;
}
interface MappingFile {
  defaults: Record<string, unknown> & {
    observer_type?: string;
    histogram_options?: { buckets?: number[] };
  };
  mappings: Mapping[];
  [key: string]: unknown;
}

// From statsd_exporter's pkg/mapper (mapper.go, mapping.go, mapper_defaults.go).
const statsdMetric = "[a-zA-Z_](-?[a-zA-Z0-9_])*";
const globLine = new RegExp(`^(\\*\\.|${statsdMetric}\\.)+(\\*|${statsdMetric})$`);
const metricName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]+$/;
const mappingKeys = [
  "match",
  "name",
  "labels",
  "observer_type",
  "match_type",
  "help",
  "action",
  "match_metric_type",
  "ttl",
  "summary_options",
  "histogram_options",
  "scale",
  "honor_labels",
];
const defaultsKeys = [
  "observer_type",
  "match_type",
  "glob_disable_ordering",
  "ttl",
  "summary_options",
  "histogram_options",
];

const text = readFileSync(path.join(repoRoot, MAPPING_FILE), "utf8");
const config = parse(text) as MappingFile;

/** The exporter's glob: `*` stands for one dot-separated component. */
const globMatches = (glob: string, name: string) =>
  new RegExp(
    `^${glob
      .split(".")
      .map((c) => (c === "*" ? "[^.]+" : c))
      .join("\\.")}$`,
  ).test(name);

const exporterType = (type: StatsdType) => (type === "timer" ? "observer" : type);

function mappingFor(statsd: string, type: StatsdType): Mapping[] {
  return config.mappings.filter(
    (m) =>
      globMatches(m.match, statsd) &&
      (m.match_metric_type === undefined || m.match_metric_type === exporterType(type)),
  );
}

describe(`statsd mapping (${MAPPING_FILE})`, () => {
  it("uses only keys the exporter knows, none of the deprecated ones", () => {
    expect(Object.keys(config).filter((k) => !["defaults", "mappings"].includes(k))).toEqual([]);
    expect(Object.keys(config.defaults).filter((k) => !defaultsKeys.includes(k))).toEqual([]);
    const unknown = config.mappings.flatMap((m) =>
      Object.keys(m).filter((k) => !mappingKeys.includes(k)),
    );
    expect(unknown).toEqual([]);
  });

  it.each(config.mappings.map((m) => [m.match, m] as const))(
    "%s is a valid glob mapping",
    (_m, mapping) => {
      expect(mapping.match_type ?? config.defaults.match_type).toBe("glob");
      expect(mapping.match).toMatch(globLine);
      expect(mapping.name).toMatch(metricName);
      expect(["counter", "gauge", "observer", undefined]).toContain(mapping.match_metric_type);
      expect(["histogram", "summary", undefined]).toContain(mapping.observer_type);
      for (const label of Object.keys(mapping.labels ?? {})) expect(label).toMatch(labelName);
    },
  );

  it("maps each Prometheus name once", () => {
    const names = config.mappings.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("turns timers into histograms with buckets from 5 ms to 10 s", () => {
    expect(config.defaults.observer_type).toBe("histogram");
    const buckets = config.defaults.histogram_options?.buckets ?? [];
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(buckets[0]).toBeLessThanOrEqual(0.005);
    expect(buckets[buckets.length - 1]).toBeGreaterThanOrEqual(10);
  });

  it.each(emitted.map((e) => [e.statsd, e] as const))("maps %s", (_name, metric) => {
    const matches = mappingFor(metric.statsd, metric.type);
    expect(matches.map((m) => m.match)).toEqual([metric.statsd]);
    const mapping = matches[0] as Mapping;
    if (metric.prometheus) expect(mapping.name).toBe(metric.prometheus);
    if (metric.type === "counter") expect(mapping.name).toMatch(/_total$/);
    if (metric.type === "gauge") expect(mapping.name).not.toMatch(/_total$/);
    if (metric.type === "timer") {
      expect(mapping.name).toMatch(/_seconds$/); // the exporter divides ms timers by 1000
      expect(mapping.observer_type ?? config.defaults.observer_type).toBe("histogram");
    }
    // DogStatsD tags become labels by themselves; a mapping label of the same name would
    // overwrite them.
    for (const tag of metric.tags) {
      expect(tag).toMatch(labelName);
      expect(Object.keys(mapping.labels ?? {})).not.toContain(tag);
    }
  });
});

describeRendered("statsd-exporter sidecar wiring", () => {
  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);
    const pod = podOf(objects, "Deployment", "order-service");
    const exporter = statsdExporterContainer(pod);

    it("reads this mapping file, as mounted from the generated ConfigMap", () => {
      if (!exporter) throw new Error("no statsd-exporter sidecar");
      const flag = exporter.args?.find((a) => a.startsWith("--statsd.mapping-config="));
      const file = flag?.slice("--statsd.mapping-config=".length) ?? "";
      expect(mountedFiles(objects, pod, exporter)[file]).toBe(text);
      expect(findGenerated(objects, "ConfigMap", "statsd-mapping").data).toEqual({
        "statsd-mapping.yaml": text,
      });
    });

    it("listens on the UDP port the app sends to (STATSD_HOST:STATSD_PORT)", () => {
      const app = containerOf(pod, "order-service");
      const env = environmentSchema.parse(containerEnv(objects, pod, app).values);
      expect(env.STATSD_HOST).toBe("127.0.0.1"); // same pod: the sidecar shares the network
      expect(exporter?.args).toContain(`--statsd.listen-udp=:${env.STATSD_PORT}`);
      expect(exporter?.ports).toContainEqual(
        expect.objectContaining({ containerPort: env.STATSD_PORT, protocol: "UDP" }),
      );
    });
  });
});
