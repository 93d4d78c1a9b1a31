// The kind development stack: cluster config, the make targets users run, and the pieces that
// must agree with each other (image, credentials, fake upstreams, pod security).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { parseFakeConfig } from "../../src/fakes/fake-config";
import { JWKS_PATH } from "../../src/fakes/identity-provider-app";
import { containerEnv } from "./support/container-env";
import { describeRendered, findObject, render, repoRoot } from "./support/render";
import { allContainers, containerOf, podOf } from "./support/workloads";

const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

interface KindConfig {
  kind: string;
  apiVersion: string;
  name: string;
  nodes: { role: string; image: string }[];
}

describe("k8s/kind-config.yaml", () => {
  const config = parse(read("k8s/kind-config.yaml")) as KindConfig;

  it("is a kind Cluster whose nodes all run one digest-pinned image", () => {
    expect([config.apiVersion, config.kind]).toEqual(["kind.x-k8s.io/v1alpha4", "Cluster"]);
    const images = new Set(config.nodes.map((n) => n.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[a-f0-9]{64}$/);
    expect(config.nodes.filter((n) => n.role === "worker").length).toBeGreaterThanOrEqual(2);
  });

  it("runs a Kubernetes with every feature the manifests use as GA", () => {
    const [, minor] = /kindest\/node:v1\.(\d+)\./.exec(config.nodes[0]?.image ?? "") ?? [];
    // native sidecars 1.33, preStop sleep 1.34, PDB unhealthyPodEvictionPolicy 1.31
    expect(Number(minor)).toBeGreaterThanOrEqual(34);
  });
});

describe("mk/kind.mk and mk/docker.mk", () => {
  const makefile = `${read("mk/kind.mk")}\n${read("mk/docker.mk")}`;
  const variable = (name: string) =>
    new RegExp(`^${name}\\s*\\?=\\s*(.+)$`, "m").exec(makefile)?.[1];

  it.each(["kind-up", "image", "kind-load", "deploy", "smoke", "rollout-check", "kind-down"])(
    "has a documented %s target (for `make help`)",
    (target) => {
      expect(makefile).toMatch(new RegExp(`^${target}:.*## \\S`, "m"));
    },
  );

  it("uses the cluster name, config and overlay this repo has", () => {
    const config = parse(read("k8s/kind-config.yaml")) as KindConfig;
    expect(variable("KIND_CLUSTER")).toBe(config.name);
    expect(variable("KIND_CONFIG")).toBe("k8s/kind-config.yaml");
    expect(variable("KIND_OVERLAY")).toBe("k8s/overlays/kind");
    expect(variable("IMAGE_REPO")).toBe("order-service");
  });
});

describe(".github/workflows/ci.yml", () => {
  const workflow = parse(read(".github/workflows/ci.yml")) as {
    jobs: Record<string, { env?: Record<string, string>; steps: { run?: string }[] }>;
  };

  it("runs the stack on kind through the make targets, with the kind the node image needs", () => {
    const kind = workflow.jobs.kind;
    const runs = (kind?.steps ?? []).map((s) => s.run ?? "");
    // One make run, so the tag built is the tag loaded, deployed, smoke-tested and restarted.
    expect(runs).toContain("make -j2 kind-up image kind-load deploy smoke rollout-check");
    expect(runs).toContain("make kind-down");
    const install = runs.find((r) => r.includes("kind-linux-amd64")) ?? "";
    expect(install).toMatch(/kind-linux-amd64\.sha256sum/);
    expect(install).toMatch(/sha256sum --check --strict/);
    const [, needed] = /Needs kind (v[\d.]+)/.exec(read("k8s/kind-config.yaml")) ?? [];
    expect(kind?.env?.KIND_VERSION).toBe(needed);
  });
});

describeRendered("kind overlay", () => {
  const objects = render("kind");

  it("runs the locally loaded image, never pulling it", () => {
    const own = allContainers(objects).filter((r) =>
      r.container.image?.startsWith("order-service"),
    );
    // service, migrate, reconcile, the two fake upstreams and the identity provider
    expect(own.length).toBeGreaterThanOrEqual(6);
    for (const { container, where } of own) {
      expect([where, container.image, container.imagePullPolicy]).toEqual([
        where,
        "order-service:dev",
        "IfNotPresent",
      ]);
    }
  });

  it("runs Postgres 16 and Redis 7, pinned by major", () => {
    expect(containerOf(podOf(objects, "StatefulSet", "postgres"), "postgres").image).toBe(
      "postgres:16",
    );
    expect(containerOf(podOf(objects, "Deployment", "redis"), "redis").image).toBe("redis:7");
  });

  it("enforces the restricted Pod Security Standard on the namespace everything lands in", () => {
    const namespace = objects.find((o) => o.kind === "Namespace");
    expect(namespace?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const elsewhere = objects.filter(
      (o) => o.kind !== "Namespace" && o.metadata.namespace !== namespace?.metadata.name,
    );
    expect(elsewhere).toEqual([]);
  });

  it("gives the service the credentials the database was created with", () => {
    const app = podOf(objects, "Deployment", "order-service");
    const db = podOf(objects, "StatefulSet", "postgres");
    const appEnv = containerEnv(objects, app, containerOf(app, "order-service")).values;
    const dbEnv = containerEnv(objects, db, containerOf(db, "postgres")).values;
    const url = new URL(appEnv.DATABASE_URL ?? "");
    expect([url.username, decodeURIComponent(url.password), url.pathname.slice(1)]).toEqual([
      dbEnv.POSTGRES_USER,
      dbEnv.POSTGRES_PASSWORD,
      dbEnv.POSTGRES_DB,
    ]);
    expect(`${url.hostname}:${url.port}`).toBe("postgres:5432");
  });

  it("starts the fakes on the ports the service's URLs name, with the service's API key", () => {
    const app = podOf(objects, "Deployment", "order-service");
    const appEnv = containerEnv(objects, app, containerOf(app, "order-service")).values;
    for (const [name, urlName] of [
      ["product-service", "PRODUCT_API_URL"],
      ["payment-service", "PAYMENT_API_URL"],
    ] as const) {
      const pod = podOf(objects, "Deployment", name);
      const fake = containerOf(pod, name);
      const fakeConfig = parseFakeConfig(containerEnv(objects, pod, fake).values, 0);
      expect(fakeConfig.port).toBe(fake.ports?.[0]?.containerPort);
      expect(fakeConfig.port).toBe(Number(new URL(appEnv[urlName] ?? "").port));
      if (name === "payment-service") expect(fakeConfig.paymentApiKey).toBe(appEnv.PAYMENT_API_KEY);
    }
  });

  it("runs the identity provider where AUTH_JWKS_URL points, outside production, signing what the service checks", () => {
    const app = podOf(objects, "Deployment", "order-service");
    const appEnv = containerEnv(objects, app, containerOf(app, "order-service")).values;
    const pod = podOf(objects, "Deployment", "identity-provider");
    const idp = containerOf(pod, "identity-provider");
    const idpConfig = parseFakeConfig(containerEnv(objects, pod, idp).values, 0);
    // Its entry point refuses NODE_ENV=production, which the image sets.
    expect(idpConfig.nodeEnv).toBe("development");
    expect(idpConfig.identityProvider).toMatchObject({
      issuer: appEnv.AUTH_ISSUER,
      audience: appEnv.AUTH_AUDIENCE,
    });
    const jwks = new URL(appEnv.AUTH_JWKS_URL ?? "");
    const service = findObject<{ spec: { ports: { port: number }[] } }>(
      objects,
      "Service",
      jwks.hostname,
    );
    expect(service.spec.ports.map((p) => p.port)).toContain(Number(jwks.port));
    expect(jwks.pathname).toBe(JWKS_PATH);
    expect(idpConfig.port).toBe(idp.ports?.[0]?.containerPort);
    // Its keys live in memory: a second replica would sign with keys the first never publishes.
    const deployment = findObject<{ spec: { replicas?: number } }>(
      objects,
      "Deployment",
      "identity-provider",
    );
    expect(deployment.spec.replicas).toBe(1);
  });
});

describeRendered("kind overlay storage", () => {
  const objects = render("kind");

  it("leaves Postgres' data directory as it is on restart (fsGroupChangePolicy: OnRootMismatch)", () => {
    // The default (Always) chowns every file of the volume on each mount: a restart that takes
    // longer the bigger the database, and a data directory whose modes initdb chose are changed.
    const withClaims = objects.filter(
      (o) =>
        o.kind === "StatefulSet" &&
        (o.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates,
    );
    expect(withClaims.map((o) => o.metadata.name)).toEqual(["postgres"]);
    const pod = podOf(objects, "StatefulSet", "postgres");
    expect(pod.spec.securityContext?.fsGroup).toBeDefined();
    expect(pod.spec.securityContext?.fsGroupChangePolicy).toBe("OnRootMismatch");
  });
});
