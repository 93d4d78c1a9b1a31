// The optional `podmonitor` component (prometheus-operator): a PodMonitor that scrapes both
// sidecars under the job names the alert rules select, and the rules as a PrometheusRule that
// is exactly the promtool-tested file. The kind overlay itself needs no operator CRDs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describeRendered, findObject, kustomize, render, repoRoot } from "./support/render";
import { containersOf, podOf, resolvePort, selects } from "./support/workloads";

const RULES_FILE = "k8s/components/prometheus-rules/order-service.rules.yaml";

interface PodMonitor {
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: {
      port: string;
      path: string;
      relabelings?: { targetLabel: string; replacement: string; sourceLabels?: string[] }[];
    }[];
  };
}

/** The job label each endpoint's targets get (what the rules select with job="..."). */
const jobOf = (endpoint: PodMonitor["spec"]["podMetricsEndpoints"][number]) =>
  endpoint.relabelings?.find((r) => r.targetLabel === "job" && !r.sourceLabels)?.replacement;

describeRendered("podmonitor component", () => {
  const objects = kustomize("test/manifests/fixtures/overlays/kind-podmonitor");
  const monitor = findObject<PodMonitor>(objects, "PodMonitor", "order-service");
  const api = podOf(objects, "Deployment", "order-service");
  const rulesText = readFileSync(path.join(repoRoot, RULES_FILE), "utf8");

  it("selects the service's api pods only, not the Jobs' pods that share its name", () => {
    expect(selects(monitor.spec.selector, api.labels)).toBe(true);
    for (const job of [
      podOf(objects, "Job", "order-service-migrate"),
      podOf(objects, "CronJob", "order-service-reconcile"),
    ]) {
      expect(selects(monitor.spec.selector, job.labels)).toBe(false);
    }
  });

  it("scrapes each sidecar's metrics port under the job its alert rules select", () => {
    const byPort = Object.fromEntries(
      monitor.spec.podMetricsEndpoints.map((e) => [e.port, { path: e.path, job: jobOf(e) }]),
    );
    expect(byPort).toEqual({
      metrics: { path: "/metrics", job: "order-service" },
      "fluent-http": { path: "/api/v1/metrics/prometheus", job: "order-service-log-shipper" },
    });
    for (const { port } of monitor.spec.podMetricsEndpoints) {
      const owners = containersOf(api).filter((ref) => resolvePort(ref.container, port));
      expect([port, owners.map((ref) => ref.role)]).toEqual([port, ["sidecar"]]);
    }
    for (const job of ["order-service", "order-service-log-shipper"]) {
      expect(rulesText).toContain(`job="${job}"`);
    }
  });

  it("ships the rules as a PrometheusRule identical to the promtool-tested file (scripts/write-prometheus-rule.sh)", () => {
    const rule = findObject<{ spec: unknown }>(objects, "PrometheusRule", "order-service");
    expect(rule.spec).toEqual(parse(rulesText));
  });

  it("is left out of the kind overlay, which must apply on a cluster without the operator", () => {
    const kinds = render("kind").map((o) => o.apiVersion);
    expect(kinds.filter((v) => v.startsWith("monitoring.coreos.com/"))).toEqual([]);
  });
});
