// The Prometheus alert rules: valid and behaving as specified (promtool's own checker and unit
// tests), complete (severity, summary, description, runbook on every alert; every alert both
// fired and held back by a test), and reading only metrics that exist, so renaming a metric in
// the statsd mapping breaks this test instead of silently muting an alert.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { matchersOf, metricNames } from "./support/promql";
import { describeRendered, findObject, render, repoRoot } from "./support/render";

const RULES_FILE = "k8s/components/prometheus-rules/order-service.rules.yaml";
const RULES_TESTS = "observability/alerts/order-service.rules.test.yaml";
const MAPPING_FILE = "k8s/base/statsd-mapping.yaml";
const JOB = "order-service";
/** The scrape job of the Fluent Bit sidecars' own metrics (observability/README.md). */
const LOG_SHIPPER_JOB = "order-service-log-shipper";
const DEBIAN_PACKAGE = "prometheus"; // Debian's package that ships promtool

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface RuleTests {
  rule_files: string[];
  group_eval_order?: string[];
  tests: {
    name?: string;
    alert_rule_test?: {
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string> }[];
    }[];
  }[];
}
interface Mapping {
  name: string;
  match_metric_type?: string;
  observer_type?: string;
}
interface MappingFile {
  defaults: { observer_type?: string; histogram_options?: { buckets?: number[] } };
  mappings: (Mapping & { histogram_options?: { buckets?: number[] } })[];
}

const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
const rulesText = read(RULES_FILE);
const ruleFile = parse(rulesText) as RuleFile;
const rules = ruleFile.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);
const ruleTests = parse(read(RULES_TESTS)) as RuleTests;
const mappingFile = parse(read(MAPPING_FILE)) as MappingFile;

/** What the exporter exposes for each mapping: a histogram is three series families. */
const appMetrics = mappingFile.mappings.flatMap((m) =>
  m.match_metric_type === "observer" &&
  (m.observer_type ?? mappingFile.defaults.observer_type) === "histogram"
    ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
    : [m.name],
);
/** kube-state-metrics v2 (docs/metrics/workload/) and Prometheus itself. */
const externalMetrics = [
  "kube_deployment_spec_replicas",
  "kube_deployment_status_replicas_available",
  "kube_pod_container_status_restarts_total",
  "kube_pod_container_status_waiting_reason",
  "kube_pod_init_container_status_restarts_total", // native sidecars are init containers
  "kube_pod_init_container_status_waiting_reason",
  "kube_pod_owner",
  "up",
];
/** Fluent Bit's /api/v1/metrics/prometheus, scraped from the log-shipping sidecar. */
const logShipperMetrics = [
  "fluentbit_output_errors_total",
  "fluentbit_output_retries_failed_total",
];
const recorded = rules.flatMap((r) => (r.record ? [r.record] : []));

const describeRule = (r: Rule) =>
  r.alert ? `${r.alert} (${r.labels?.severity ?? "no severity"})` : `${r.record}`;

describe(`alert rules (${RULES_FILE})`, () => {
  it.each(alerts.map((a) => [describeRule(a), a] as const))(
    "%s has a severity, a summary, a description and a runbook",
    (_name, alert) => {
      expect(["critical", "warning"]).toContain(alert.labels?.severity);
      for (const key of ["summary", "description", "runbook"]) {
        expect([key, alert.annotations?.[key]?.trim()]).toEqual([key, expect.any(String)]);
        expect(alert.annotations?.[key]?.trim().length).toBeGreaterThan(10);
      }
    },
  );

  it.each(rules.map((r) => [describeRule(r), r] as const))(
    "%s reads only metrics the exporter, kube-state-metrics or these rules produce",
    (_name, rule) => {
      const known = new Set([...appMetrics, ...externalMetrics, ...logShipperMetrics, ...recorded]);
      expect(metricNames(rule.expr).filter((name) => !known.has(name))).toEqual([]);
    },
  );

  it.each(rules.map((r) => [describeRule(r), r] as const))(
    "%s selects the service's own metrics by job, and histogram buckets that exist",
    (_name, rule) => {
      for (const metric of metricNames(rule.expr)) {
        const job = logShipperMetrics.includes(metric)
          ? LOG_SHIPPER_JOB
          : appMetrics.includes(metric) || metric === "up"
            ? JOB
            : undefined;
        if (!job) continue;
        for (const matchers of matchersOf(rule.expr, metric)) {
          expect([metric, matchers]).toEqual([metric, expect.stringContaining(`job="${job}"`)]);
        }
      }
      const buckets = (mappingFile.defaults.histogram_options?.buckets ?? []).map(String);
      for (const [, le] of rule.expr.matchAll(/\ble="([^"]*)"/g)) expect(buckets).toContain(le);
    },
  );

  it("turns Fluent Bit's output errors into a ticket, now that they no longer restart it", () => {
    const shipping = alerts.filter((a) =>
      metricNames(a.expr).includes("fluentbit_output_errors_total"),
    );
    expect(shipping.map((a) => a.labels?.severity)).toEqual(["warning"]);
    expect(shipping[0]?.for).toBeDefined(); // a retry that succeeds is not worth a ticket
  });

  it("records each name once and defines each alert once per severity", () => {
    expect(new Set(recorded).size).toBe(recorded.length);
    const keys = alerts.map(describeRule);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("finds metric names the way PromQL reads them, so a renamed metric is caught", () => {
    expect(
      metricNames(`
        sum by (namespace, le) (rate(http_request_duration_seconds_bucket{job="x", le="0.5"}[5m]))
        / on (namespace) group_left () max without (pod) (up offset 5m) > 1e-3 # not_a_metric
        and absent(kube_pod_owner{owner_name=~"order-service-[a-z0-9]+"} == 1)`),
    ).toEqual(["http_request_duration_seconds_bucket", "up", "kube_pod_owner"]);
    expect(appMetrics).toContain("http_requests_total");
    expect(appMetrics).not.toContain("http_request_duration_seconds"); // only its series
  });
});

describe(`promtool unit tests (${RULES_TESTS})`, () => {
  const cases = ruleTests.tests.flatMap((t) => t.alert_rule_test ?? []);

  it("test the rules file the kind overlay ships", () => {
    const testsDir = path.dirname(path.join(repoRoot, RULES_TESTS));
    expect(ruleTests.rule_files.map((f) => path.resolve(testsDir, f))).toEqual([
      path.join(repoRoot, RULES_FILE),
    ]);
  });

  it("evaluate every group in a fixed order (promtool's default order is random)", () => {
    expect(ruleTests.group_eval_order).toEqual(ruleFile.groups.map((g) => g.name));
  });

  it.each(alerts.map((a) => [describeRule(a), a] as const))(
    "%s is tested firing and not firing",
    (_name, alert) => {
      const mine = cases.filter((c) => c.alertname === alert.alert);
      const firing = mine.flatMap((c) => c.exp_alerts ?? []);
      expect(firing.filter((a) => a.exp_labels?.severity === alert.labels?.severity)).not.toEqual(
        [],
      );
      expect(mine.filter((c) => (c.exp_alerts ?? []).length === 0)).not.toEqual([]);
    },
  );
});

function findPromtool(): string | undefined {
  const result = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.split("\n")[0] : undefined;
}

const promtool = findPromtool();

function runPromtool(...args: string[]) {
  const result = spawnSync("promtool", args, { cwd: repoRoot, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe("promtool", () => {
  if (!promtool) {
    const missing = `promtool is not on PATH; install the Debian package \`${DEBIAN_PACKAGE}\` (apt-get install -y --no-install-recommends ${DEBIAN_PACKAGE})`;
    if (process.env.CI) {
      it("is installed (CI must install it)", () => {
        throw new Error(`${missing}. CI runs the alert rules' unit tests, so it must have it.`);
      });
    } else {
      console.warn(`alerts.test.ts: SKIPPED the promtool checks: ${missing}`);
      it.skip(`SKIPPED: ${missing}`, () => {});
    }
    return;
  }

  it("check rules: the rules file is valid", () => {
    expect(runPromtool("check", "rules", RULES_FILE)).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
    });
  });

  // The burn-rate tests replay up to 20 hours of samples: seconds, more on a busy machine.
  it("test rules: every alert fires on its series and stays quiet on the others", () => {
    expect(runPromtool("test", "rules", RULES_TESTS)).toEqual({
      status: 0,
      output: expect.stringMatching(/^Unit Testing: .*\n\s*SUCCESS$/),
    });
  }, 180_000);
});

describeRendered("kind overlay", () => {
  it("ships the rules file unchanged in the ConfigMap prometheus-rules", () => {
    const configMap = findObject(render("kind"), "ConfigMap", "prometheus-rules");
    expect(configMap.data).toEqual({ "order-service.rules.yaml": rulesText });
  });
});
