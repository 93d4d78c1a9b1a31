// The manifests against the app itself: config names and values, port, probe paths, entry
// points and the shutdown time budget (DESIGN.md "Runtime contract").
import { readFileSync } from "node:fs";
import path from "node:path";
import { environmentSchema } from "../../src/config";
import { healthRoutes } from "../../src/http/health-routes";
import { TRACE_FLUSH_TIMEOUT_MS } from "../../src/telemetry/flush-traces";
import {
  parseTelemetrySettings,
  TELEMETRY_VARIABLES,
} from "../../src/telemetry/telemetry-settings";
import { containerEnv } from "./support/container-env";
import { sectionsNamed } from "./support/fluent-bit-config";
import { fluentBitConfig, statsdExporterContainer } from "./support/mounted-files";
import {
  describeRendered,
  findGenerated,
  findObject,
  repoRoot,
  render,
  targetNames,
  type KubeObject,
} from "./support/render";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { cliCommands } from "./support/cli-commands";
import {
  allContainers,
  containerOf,
  podOf,
  podTemplates,
  type PodTemplate,
} from "./support/workloads";

const configNames = Object.keys(environmentSchema.shape);
/** The names a developer sets locally; the manifests must give the service the same set. */
const exampleNames = [
  ...readFileSync(path.join(repoRoot, ".env.example"), "utf8").matchAll(/^([A-Z0-9_]+)=/gm),
].map((m) => m[1] as string);
/** Set only next to the sidecar that reads them (DESIGN.md). */
const sidecarNames = ["STATSD_HOST", "LOG_FILE"];
const requiredNames = configNames.filter(
  (name) =>
    !environmentSchema.shape[name as keyof typeof environmentSchema.shape].safeParse(undefined)
      .success,
);

/** The containers that run the service's own code with its config (not the fakes). */
const serviceContainers = [
  ["Deployment", "order-service", "order-service"],
  ["Job", "order-service-migrate", "migrate"],
  ["CronJob", "order-service-reconcile", "reconcile"],
] as const;

function serviceEnv(objects: KubeObject[], kind: string, name: string, container: string) {
  const pod = podOf(objects, kind, name);
  return containerEnv(objects, pod, containerOf(pod, container));
}

/** Seconds the app may need after the kubelet decides to stop the pod, and what it has. */
function shutdownBudget(objects: KubeObject[]) {
  const pod = podOf(objects, "Deployment", "order-service");
  const app = containerOf(pod, "order-service");
  const config = environmentSchema.parse(containerEnv(objects, pod, app).values);
  const preStop = app.lifecycle?.preStop?.sleep?.seconds ?? 0;
  // After the drain, the last spans are exported (bounded): part of the app's own shutdown.
  const service =
    (config.SHUTDOWN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS + TRACE_FLUSH_TIMEOUT_MS) / 1000;
  const [flbService] = sectionsNamed(fluentBitConfig(objects, pod) ?? [], "SERVICE");
  const sidecarFlush = Number(flbService?.entries.grace ?? 0);
  return { preStop, service, sidecarFlush, grace: pod.spec.terminationGracePeriodSeconds ?? 30 };
}

describe("config names", () => {
  it("the schema the tests read has the names DESIGN.md promises", () => {
    expect(configNames).toEqual(expect.arrayContaining(["PORT", "DATABASE_URL", "LOG_FILE"]));
    expect(requiredNames).toEqual(
      expect.arrayContaining(["DATABASE_URL", "PAYMENT_API_KEY", "REDIS_URL", "PRODUCT_API_URL"]),
    );
  });
});

describeRendered("manifests against the app", () => {
  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);

    it.each(serviceContainers)("%s/%s: every env name is one the app reads", (...ref) => {
      const names = Object.keys(serviceEnv(objects, ...ref).values);
      const known = [...configNames, ...TELEMETRY_VARIABLES]; // OTEL_*: src/telemetry.ts reads them
      expect(names.filter((n) => !known.includes(n))).toEqual([]);
    });

    it.each(serviceContainers)(
      "%s/%s: exports traces exactly where the tracing component is added, with settings the preload accepts",
      (...ref) => {
        const env = serviceEnv(objects, ...ref).values;
        const settings = parseTelemetrySettings(env); // throws, naming the variable, on a bad one
        expect(settings.export !== undefined).toBe(target === "kind+tracing");
        if (!settings.export) return;
        const endpoint = new URL(settings.export.endpoint);
        // A collector's Service in the monitoring namespace, on OTLP/HTTP's port.
        expect(endpoint.hostname).toMatch(/^[a-z0-9-]+\.monitoring\.svc(\.cluster\.local)?$/);
        expect(endpoint.port).toBe("4318");
        expect(env.OTEL_SERVICE_NAME).toBe("order-service");
        // A tenth of the traces that start here, every trace a caller sampled.
        expect(settings.sampler).toEqual({
          kind: "parentbased",
          root: "traceidratio",
          ratio: 0.1,
        });
      },
    );

    it.each(serviceContainers)("%s/%s: gets every name .env.example has (no drift)", (...ref) => {
      const names = Object.keys(serviceEnv(objects, ...ref).values);
      const expected =
        ref[0] === "Deployment"
          ? exampleNames
          : exampleNames.filter((n) => !sidecarNames.includes(n));
      expect(expected.filter((n) => !names.includes(n))).toEqual([]);
    });

    it.each(serviceContainers)("%s/%s: every required name is provided", (...ref) => {
      const names = Object.keys(serviceEnv(objects, ...ref).values);
      expect(requiredNames.filter((n) => !names.includes(n))).toEqual([]);
    });

    it.each(serviceContainers)("%s/%s: the resolved env passes the app's schema", (...ref) => {
      const result = environmentSchema.safeParse(serviceEnv(objects, ...ref).values);
      expect(result.error?.issues ?? []).toEqual([]);
    });

    it.each(serviceContainers)(
      "%s/%s: secrets come from a Secret, the rest from ConfigMaps",
      (...ref) => {
        const { sources } = serviceEnv(objects, ...ref);
        for (const [name, source] of Object.entries(sources)) {
          const secret = ["DATABASE_URL", "PAYMENT_API_KEY"].includes(name);
          expect([name, source.split(" ")[0]]).toEqual([name, secret ? "Secret" : "ConfigMap"]);
        }
      },
    );

    it("the sidecar settings reach the service only, and only next to their sidecar", () => {
      for (const pod of podTemplates(objects)) {
        for (const container of pod.spec.containers) {
          const names = Object.keys(containerEnv(objects, pod, container).values);
          const where = `${pod.owner.metadata.name}/${container.name}`;
          expect([where, names.includes("STATSD_HOST")]).toEqual([where, hasStatsd(pod)]);
          expect([where, names.includes("LOG_FILE")]).toEqual([where, hasFluentBit(objects, pod)]);
        }
      }
    });

    it("the container port is PORT, and the Service targets it", () => {
      const pod = podOf(objects, "Deployment", "order-service");
      const app = containerOf(pod, "order-service");
      const { PORT } = environmentSchema.parse(containerEnv(objects, pod, app).values);
      expect(app.ports?.find((p) => p.name === "http")?.containerPort).toBe(PORT);
    });

    it("probes ask for paths the app serves, and readiness waits out its checks", () => {
      const served = servedGetPaths();
      const pod = podOf(objects, "Deployment", "order-service");
      const app = containerOf(pod, "order-service");
      expect(app.startupProbe?.httpGet?.path).toBe("/health/startup");
      expect(app.livenessProbe?.httpGet?.path).toBe("/health/live");
      expect(app.readinessProbe?.httpGet?.path).toBe("/health/ready");
      for (const probe of [app.startupProbe, app.livenessProbe, app.readinessProbe]) {
        expect(served).toContain(probe?.httpGet?.path);
      }
      const config = environmentSchema.parse(containerEnv(objects, pod, app).values);
      expect((app.readinessProbe?.timeoutSeconds ?? 1) * 1000).toBeGreaterThan(
        config.HEALTH_CHECK_TIMEOUT_MS,
      );
    });

    it("terminationGracePeriodSeconds > preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + trace flush (+ sidecar flush)", () => {
      const budget = shutdownBudget(objects);
      expect(budget.preStop).toBeGreaterThan(0);
      expect(budget.grace).toBeGreaterThan(budget.preStop + budget.service);
      expect(budget.grace).toBeGreaterThanOrEqual(
        budget.preStop + budget.service + budget.sidecarFlush,
      );
    });

    it("the shutdown budget check fails when the app's drain outgrows it", () => {
      const stretched = objects.map((o) =>
        o === findGenerated(objects, "ConfigMap", "order-service-config")
          ? { ...o, data: { ...(o.data as object), SHUTDOWN_TIMEOUT_MS: "60000" } }
          : o,
      );
      const budget = shutdownBudget(stretched);
      expect(budget.grace).toBeLessThan(budget.preStop + budget.service);
    });

    it("every container of the app's image starts through the image's entry point (which preloads tracing)", () => {
      const own = allContainers(objects).filter((r) =>
        r.container.image?.startsWith("order-service"),
      );
      expect(own.length).toBeGreaterThanOrEqual(6);
      for (const { where, container } of own) {
        // A `command` would replace the ENTRYPOINT and start node without the preload.
        expect([where, container.command]).toEqual([where, undefined]);
        const [process = "serve"] = container.args ?? []; // no args: the image's CMD, serve
        expect([where, cliCommands.includes(process)]).toEqual([where, true]);
      }
      const args = (kind: string, name: string) =>
        podOf(objects, kind, name).spec.containers[0]?.args;
      expect(args("Deployment", "order-service") ?? ["serve"]).toEqual(["serve"]);
      expect(args("Job", "order-service-migrate")).toEqual(["migrate"]);
      expect(args("CronJob", "order-service-reconcile")).toEqual(["reconcile"]);
      expect(args("Deployment", "product-service")).toEqual(["fake-products"]);
      expect(args("Deployment", "payment-service")).toEqual(["fake-payments"]);
      expect(args("Deployment", "identity-provider")).toEqual(["fake-identity"]);
    });

    it("the first rollout restarts no app container: its startup budget outlasts the migration Job's back-off while Postgres starts", () => {
      const pod = podOf(objects, "Deployment", "order-service");
      const app = containerOf(pod, "order-service");
      const postgres = containerOf(podOf(objects, "StatefulSet", "postgres"), "postgres");
      const job = findObject<{ spec: { backoffLimit: number; activeDeadlineSeconds: number } }>(
        objects,
        "Job",
        "order-service-migrate",
      );
      const config = environmentSchema.parse(containerEnv(objects, pod, app).values);
      const migrated = migrationFinishedBy({
        postgresReadyBy: probeBudgetSeconds(postgres.startupProbe),
        attemptSeconds: POD_START_S + config.PG_CONNECT_TIMEOUT_MS / 1000,
        backoffLimit: job.spec.backoffLimit,
      });
      expect(migrated).toBeLessThan(job.spec.activeDeadlineSeconds);
      expect(probeBudgetSeconds(app.startupProbe)).toBeGreaterThan(migrated);
    });
  });
});

/** A pod's start from a preloaded image, and applying this repo's migrations: generous. */
const POD_START_S = 5;
const MIGRATION_S = 15;

/** Seconds a startup probe lets a container take before the kubelet restarts it. */
function probeBudgetSeconds(probe: IProbe | undefined): number {
  if (!probe) return 0;
  return (
    (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3)
  );
}

/**
 * When the migration Job is done at the latest on a cold cluster: every attempt before Postgres
 * is ready fails after `attemptSeconds`, and the Job controller waits 10 s, 20 s, 40 s, ...
 * (capped at 6 minutes) before the next; the first attempt after Postgres is ready migrates.
 */
function migrationFinishedBy(model: {
  postgresReadyBy: number;
  attemptSeconds: number;
  backoffLimit: number;
}): number {
  let start = 0;
  let attempt = 0;
  while (start < model.postgresReadyBy) {
    start += model.attemptSeconds + Math.min(10 * 2 ** attempt, 360);
    attempt += 1;
  }
  // Attempts 0 .. backoffLimit exist; past them the Job has given up.
  return attempt <= model.backoffLimit ? start + POD_START_S + MIGRATION_S : Infinity;
}

function servedGetPaths(): string[] {
  // The router's options are only read inside its handlers.
  const router = healthRoutes({} as never) as unknown as {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  return router.stack.flatMap((layer) => (layer.route?.methods.get ? [layer.route.path] : []));
}

const hasStatsd = (pod: PodTemplate) => statsdExporterContainer(pod) !== undefined;
const hasFluentBit = (objects: KubeObject[], pod: PodTemplate) =>
  fluentBitConfig(objects, pod) !== undefined;
