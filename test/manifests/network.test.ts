// Default-deny is in force, and exactly the connections the app needs get through: to each
// backing service its config names, DNS, and in from anywhere on the app and metrics ports.
import { containerEnv } from "./support/container-env";
import { NetworkModel, type Endpoint } from "./support/network-model";
import { describeRendered, render, targetNames, type KubeObject } from "./support/render";
import {
  containerOf,
  containersOf,
  podOf,
  podsSelectedBy,
  type PodTemplate,
} from "./support/workloads";

const defaultPorts: Record<string, number> = { "postgres:": 5432, "redis:": 6379, "http:": 80 };
const urlNames = ["DATABASE_URL", "REDIS_URL", "PRODUCT_API_URL", "PAYMENT_API_URL"];

function endpoint(pod: PodTemplate): Endpoint {
  const namedPorts = Object.fromEntries(
    containersOf(pod).flatMap((ref) =>
      (ref.container.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort]] : [])),
    ),
  );
  return { namespace: pod.namespace ?? "", labels: pod.labels, namedPorts };
}

/** The pods and container port behind `host:port`, through the Service named `host`. */
function backend(objects: KubeObject[], from: PodTemplate, host: string, port: number) {
  const service = objects.find(
    (o) => o.kind === "Service" && o.metadata.name === host.split(".")[0],
  );
  if (!service) throw new Error(`no Service for ${host}`);
  const spec = service.spec as {
    selector: Record<string, string>;
    ports: { port: number; targetPort?: number | string }[];
  };
  const servicePort = spec.ports.find((p) => p.port === port);
  if (!servicePort) throw new Error(`Service ${host} has no port ${port}`);
  const pods = podsSelectedBy(objects, service, { matchLabels: spec.selector });
  return pods.map((pod) => {
    const target = servicePort.targetPort ?? port;
    const resolved = typeof target === "number" ? target : endpoint(pod).namedPorts?.[target];
    return { pod, port: resolved ?? -1, from };
  });
}

/** The service and its admin processes: same image, same config, same dependencies. */
const servicePods = [
  ["Deployment", "order-service"],
  ["Job", "order-service-migrate"],
  ["CronJob", "order-service-reconcile"],
] as const;

describeRendered("network policies", () => {
  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);
    const network = new NetworkModel(objects);
    const api = podOf(objects, "Deployment", "order-service");
    const ns = api.namespace ?? "";
    const kubeDns: Endpoint = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
    const elsewhere: Endpoint = { namespace: "monitoring", labels: { app: "prometheus" } };

    it.each(servicePods)("%s/%s reaches every backing service in its config", (kind, name) => {
      const pod = podOf(objects, kind, name);
      const [app] = pod.spec.containers;
      if (!app) throw new Error(`${name} has no container`);
      const env = containerEnv(objects, pod, app).values;
      for (const urlName of urlNames) {
        const url = new URL(env[urlName] ?? "");
        const port = Number(url.port) || (defaultPorts[url.protocol] as number);
        const backends = backend(objects, pod, url.hostname, port);
        expect(backends.length).toBeGreaterThan(0);
        for (const b of backends) {
          const allowed = network.allows({
            from: endpoint(pod),
            to: endpoint(b.pod),
            port: b.port,
            protocol: "TCP",
          });
          expect([urlName, b.pod.owner.metadata.name, allowed]).toEqual([
            urlName,
            b.pod.owner.metadata.name,
            true,
          ]);
        }
      }
    });

    it.each(servicePods)("%s/%s may resolve names (DNS, UDP and TCP 53)", (kind, name) => {
      const from = endpoint(podOf(objects, kind, name));
      for (const protocol of ["UDP", "TCP"] as const) {
        expect(network.allows({ from, to: kubeDns, port: 53, protocol })).toBe(true);
      }
    });

    it("admits traffic to the app port and the metrics ports (both sidecars') from anywhere, and nothing else", () => {
      const to = endpoint(api);
      const http = containerOf(api, "order-service").ports?.[0]?.containerPort ?? -1;
      const fluentBitMetrics = containersOf(api)
        .find((ref) => ref.container.name === "fluent-bit")
        ?.container.ports?.find((p) => p.name === "fluent-http")?.containerPort;
      expect(fluentBitMetrics).toBe(2020); // kind ships logs: Prometheus scrapes Fluent Bit too
      expect(network.allows({ from: elsewhere, to, port: http, protocol: "TCP" })).toBe(true);
      expect(network.allows({ from: elsewhere, to, port: 9102, protocol: "TCP" })).toBe(true);
      expect(network.allows({ from: elsewhere, to, port: 2020, protocol: "TCP" })).toBe(true);
      expect(network.allows({ from: elsewhere, to, port: 2021, protocol: "TCP" })).toBe(false);
      expect(network.allows({ from: elsewhere, to, port: 9125, protocol: "UDP" })).toBe(false);
    });

    it("denies what nobody asked for", () => {
      const postgres = endpoint(podOf(objects, "StatefulSet", "postgres"));
      const fake = endpoint(podOf(objects, "Deployment", "product-service"));
      expect(network.allows({ from: fake, to: postgres, port: 5432, protocol: "TCP" })).toBe(false);
      expect(network.allows({ from: elsewhere, to: postgres, port: 5432, protocol: "TCP" })).toBe(
        false,
      );
      expect(
        network.allows({ from: endpoint(api), to: elsewhere, port: 443, protocol: "TCP" }),
      ).toBe(false);
      expect(network.allows({ from: postgres, to: kubeDns, port: 53, protocol: "UDP" })).toBe(
        false,
      );
    });

    it("lets only the service's api pods reach the identity provider, which signs for anyone", () => {
      const env = containerEnv(objects, api, containerOf(api, "order-service")).values;
      const jwks = new URL(env.AUTH_JWKS_URL ?? "");
      const port = Number(jwks.port) || (defaultPorts[jwks.protocol] as number);
      const [idp, ...more] = backend(objects, api, jwks.hostname, port);
      expect(more).toEqual([]);
      expect(idp?.pod.owner.metadata.name).toBe("identity-provider");
      const to = endpoint(idp!.pod);
      const reach = (from: Endpoint) =>
        network.allows({ from, to, port: idp!.port, protocol: "TCP" });
      expect(reach(endpoint(api))).toBe(true);
      // The admin processes share the service's config (AUTH_JWKS_URL too) but verify nothing.
      expect(reach(endpoint(podOf(objects, "Job", "order-service-migrate")))).toBe(false);
      expect(reach(endpoint(podOf(objects, "CronJob", "order-service-reconcile")))).toBe(false);
      expect(reach(endpoint(podOf(objects, "Deployment", "product-service")))).toBe(false);
      expect(reach(elsewhere)).toBe(false);
      expect(reach({ namespace: ns, labels: { app: "curious" } })).toBe(false);
    });

    it.each(servicePods)(
      "%s/%s reaches the trace collector's OTLP port exactly when it exports traces",
      (kind, name) => {
        const pod = podOf(objects, kind, name);
        const env = containerEnv(objects, pod, pod.spec.containers[0]!).values;
        const collector: Endpoint = {
          namespace: "monitoring",
          labels: { "app.kubernetes.io/name": "opentelemetry-collector" },
        };
        const from = endpoint(pod);
        const exporting = env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
        expect(network.allows({ from, to: collector, port: 4318, protocol: "TCP" })).toBe(
          exporting,
        );
        // OTLP/gRPC, or the collector's namespace on any other port: never.
        expect(network.allows({ from, to: collector, port: 4317, protocol: "TCP" })).toBe(false);
        expect(network.allows({ from, to: elsewhere, port: 9090, protocol: "TCP" })).toBe(false);
      },
    );

    it("lets the rollout check's load reach the service and the identity provider, and nothing else", () => {
      const loadJob = objects.find(
        (o) => o.kind === "Job" && o.metadata.name === "order-service-rollout-check",
      );
      expect(loadJob !== undefined).toBe(target === "kind+rollout-check");
      if (!loadJob) return;
      const from = endpoint(podOf(objects, "Job", "order-service-rollout-check"));
      const reach = (pod: PodTemplate, port: number, protocol: "TCP" | "UDP" = "TCP") =>
        network.allows({ from, to: endpoint(pod), port, protocol });
      expect(reach(api, 8000)).toBe(true);
      expect(reach(podOf(objects, "Deployment", "identity-provider"), 8003)).toBe(true);
      expect(network.allows({ from, to: kubeDns, port: 53, protocol: "UDP" })).toBe(true);
      expect(reach(podOf(objects, "StatefulSet", "postgres"), 5432)).toBe(false);
      expect(reach(podOf(objects, "Deployment", "redis"), 6379)).toBe(false);
      expect(reach(podOf(objects, "Deployment", "payment-service"), 8002)).toBe(false);
      expect(network.allows({ from, to: elsewhere, port: 443, protocol: "TCP" })).toBe(false);
    });

    it("lets the log shipper reach Loki exactly when the Loki output is configured", () => {
      const fluentBit = containersOf(api).find((ref) => ref.container.name === "fluent-bit");
      const env = fluentBit ? containerEnv(objects, api, fluentBit.container).values : {};
      const loki: Endpoint = { namespace: "monitoring", labels: { app: "loki" } };
      const port = Number(env.LOKI_PORT ?? 3100);
      const allowed = network.allows({ from: endpoint(api), to: loki, port, protocol: "TCP" });
      expect(allowed).toBe(env.LOKI_HOST !== undefined);
      expect(ns).toBe("order-service");
    });
  });
});
