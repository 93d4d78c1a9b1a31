// The Grafana dashboard (k8s/components/grafana-dashboard/order-service.dashboard.json): every
// query is valid PromQL (promtool checks them as recording rules), reads only metrics that
// exist, and covers what the service needs watching; compose and the kind component ship
// this one file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { matchersOf, metricNames } from "./support/promql";
import { describeRendered, findObject, kustomize, repoRoot } from "./support/render";

const DASHBOARD = "k8s/components/grafana-dashboard/order-service.dashboard.json";
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
const dashboardText = read(DASHBOARD);

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string; legendFormat?: string }[];
}
const dashboard = JSON.parse(dashboardText) as { uid: string; panels: Panel[] };
const graphs = dashboard.panels.filter((p) => p.type !== "row");
const queries = graphs.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));
/** As Prometheus receives them: Grafana's variables filled in. */
const promql = (expr: string) =>
  expr.replaceAll('=~"$namespace"', '=~".+"').replaceAll("$__rate_interval", "5m");

const mapping = parse(read("k8s/base/statsd-mapping.yaml")) as {
  defaults: { observer_type?: string };
  mappings: { name: string; match_metric_type?: string; observer_type?: string }[];
};
const appMetrics = mapping.mappings.flatMap((m) =>
  m.match_metric_type === "observer" &&
  (m.observer_type ?? mapping.defaults.observer_type) === "histogram"
    ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
    : [m.name],
);
const rules = parse(read("k8s/components/prometheus-rules/order-service.rules.yaml")) as {
  groups: { rules: { record?: string; expr: string }[] }[];
};
const recorded = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
const kubeStateMetrics = [
  "kube_pod_container_status_restarts_total",
  "kube_pod_init_container_status_restarts_total",
];
const used = new Set(queries.flatMap((q) => metricNames(promql(q.expr))));

describe(`Grafana dashboard (${DASHBOARD})`, () => {
  it("has panels, each with a query and a legend", () => {
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    for (const panel of graphs) {
      expect([panel.title, (panel.targets ?? []).length]).toEqual([
        panel.title,
        expect.any(Number),
      ]);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const t of panel.targets ?? [])
        expect([panel.title, t.legendFormat]).toEqual([panel.title, expect.any(String)]);
    }
  });

  it.each(queries.map((q) => [`${q.panel}: ${q.expr.split("\n")[0]}`, q] as const))(
    "%s reads only metrics the exporter, kube-state-metrics or the recording rules produce",
    (_name, query) => {
      const known = new Set([...appMetrics, ...recorded, ...kubeStateMetrics]);
      const expr = promql(query.expr);
      expect(metricNames(expr).filter((m) => !known.has(m))).toEqual([]);
      for (const metric of metricNames(expr).filter(
        (m) => appMetrics.includes(m) || recorded.includes(m),
      )) {
        for (const matchers of matchersOf(expr, metric)) {
          expect([metric, matchers]).toEqual([
            metric,
            expect.stringContaining('job="order-service"'),
          ]);
        }
      }
    },
  );

  it("shows RED per route, the burn rates the alerts use, breakers, retries, rate limiting, the pool, the process and restarts", () => {
    expect([...used].sort()).toEqual(
      expect.arrayContaining([
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "namespace_job:http_requests_5xx:ratio_rate1h",
        "namespace_job:http_requests_5xx:ratio_rate5m",
        "namespace_job:http_requests_slower_than_500ms:ratio_rate1h",
        "namespace_job:http_requests_slower_than_500ms:ratio_rate5m",
        "breaker_state",
        "breaker_transitions_total",
        "retry_attempts_total",
        "retry_budget_refusals_total",
        "rate_limit_limited_total",
        "pg_pool_connections",
        "pg_pool_waiting_clients",
        "nodejs_eventloop_delay_p99_milliseconds",
        "nodejs_heap_used_bytes",
        "kube_pod_container_status_restarts_total",
      ]),
    );
    // Route templates, never raw paths: RED panels group by `route`.
    for (const q of queries.filter((q) =>
      /\bhttp_request(s_total|_duration_seconds_bucket)\b/.test(q.expr),
    )) {
      expect(q.expr).toMatch(/by \([^)]*\broute\b/);
    }
  });

  it("ships one file: compose's Grafana mounts it and the component's ConfigMap holds it unchanged", () => {
    const compose = parse(read("docker-compose.yml"), { merge: true }) as {
      services: Record<string, { volumes?: string[] }>;
    };
    expect(compose.services.grafana?.volumes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^\\./${DASHBOARD.replace(/\./g, "\\.")}:`)),
      ]),
    );
    const prometheus = parse(read("deploy/compose/prometheus/prometheus.yml")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(
      prometheus.scrape_configs.map((c) => [c.job_name, c.static_configs[0]?.targets]),
    ).toEqual([["order-service", ["statsd-exporter:9102"]]]);
  });
});

describeRendered("grafana-dashboard component", () => {
  it("is a ConfigMap with Grafana's sidecar label holding the dashboard unchanged", () => {
    const objects = kustomize("test/manifests/fixtures/overlays/grafana-dashboard");
    const configMap = findObject(objects, "ConfigMap", "grafana-dashboard-order-service");
    expect(configMap.metadata.labels?.grafana_dashboard).toBe("1");
    expect(configMap.data).toEqual({ "order-service.dashboard.json": dashboardText });
  });
});

const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" }).status === 0;

(promtool ? describe : describe.skip)("promtool", () => {
  it("check rules: every dashboard query is valid PromQL", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dashboard-promql-"));
    try {
      const file = path.join(dir, "dashboard.rules.yaml");
      writeFileSync(
        file,
        stringify({
          groups: [
            {
              name: "dashboard",
              rules: queries.map((q, i) => ({
                record: `dashboard:query_${i}`,
                expr: promql(q.expr),
              })),
            },
          ],
        }),
      );
      const result = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
      expect([result.status, `${result.stdout}${result.stderr}`]).toEqual([
        0,
        expect.stringContaining(`SUCCESS: ${queries.length} rules found`),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
