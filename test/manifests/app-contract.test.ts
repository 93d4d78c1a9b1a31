// The manifests against the app itself: config names and values, port, probe paths, entry
// points and the shutdown time budget (DESIGN.md "Runtime contract").
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { environmentSchema } from "../../src/config";
import { healthRoutes } from "../../src/http/health-routes";
import { containerEnv } from "./support/container-env";
import { sectionsNamed } from "./support/fluent-bit-config";
import { fluentBitConfig, statsdExporterContainer } from "./support/mounted-files";
import {
  describeRendered,
  findGenerated,
  repoRoot,
  render,
  targetNames,
  type KubeObject,
} from "./support/render";
import { containerOf, podOf, podTemplates, type PodTemplate } from "./support/workloads";

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
  const service = config.SHUTDOWN_DELAY_MS / 1000 + config.SHUTDOWN_TIMEOUT_MS / 1000;
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
      expect(names.filter((n) => !configNames.includes(n))).toEqual([]);
    });

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

    it("terminationGracePeriodSeconds > preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS (+ sidecar flush)", () => {
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

    it("entry points: the image default for the service, dist/admin/*.js built from src/", () => {
      const pod = (kind: string, name: string) => podOf(objects, kind, name);
      expect(
        containerOf(pod("Deployment", "order-service"), "order-service").command,
      ).toBeUndefined();
      const commands = [
        containerOf(pod("Job", "order-service-migrate"), "migrate").command,
        containerOf(pod("CronJob", "order-service-reconcile"), "reconcile").command,
        containerOf(pod("Deployment", "product-service"), "product-service").command,
        containerOf(pod("Deployment", "payment-service"), "payment-service").command,
        containerOf(pod("Deployment", "identity-provider"), "identity-provider").command,
      ];
      for (const command of commands) {
        const [node, script] = command ?? [];
        expect(node).toBe("node");
        const source = path.join(
          repoRoot,
          (script ?? "").replace(/^dist\//, "src/").replace(/\.js$/, ".ts"),
        );
        expect([script, existsSync(source)]).toEqual([script, true]);
      }
    });
  });
});

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
