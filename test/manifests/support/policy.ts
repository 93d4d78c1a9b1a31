// Policy rules: the checks of kube-score, kube-linter, Polaris and checkov that matter for this
// service, as functions that list violations (so a test can also prove each rule catches one).
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { describeObject, type KubeObject } from "./render";
import {
  allContainers,
  containersOf,
  longRunningKinds,
  podsSelectedBy,
  podTemplates,
  resolvePort,
  type ContainerRef,
} from "./workloads";

export type Rule = (objects: KubeObject[]) => string[];

/** Restricted Pod Security Standard plus a non-system uid and a read-only root filesystem. */
const securityContext: Rule = (objects) =>
  allContainers(objects).flatMap(({ pod, container, where }) => {
    const podContext = pod.spec.securityContext ?? {};
    const context = container.securityContext ?? {};
    const runAsUser = context.runAsUser ?? podContext.runAsUser;
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    const problems = [
      (context.runAsNonRoot ?? podContext.runAsNonRoot) !== true && "runAsNonRoot is not true",
      !(Number.isInteger(runAsUser) && (runAsUser as number) >= 10000) &&
        `runAsUser ${runAsUser} is not a uid >= 10000`,
      context.allowPrivilegeEscalation !== false && "allowPrivilegeEscalation is not false",
      context.privileged === true && "privileged",
      !context.capabilities?.drop?.includes("ALL") && "capabilities.drop lacks ALL",
      (context.capabilities?.add ?? []).length > 0 && "capabilities.add is not empty",
      !["RuntimeDefault", "Localhost"].includes(seccomp ?? "") && `seccompProfile is ${seccomp}`,
      context.readOnlyRootFilesystem !== true && "readOnlyRootFilesystem is not true",
    ];
    return problems.filter((p): p is string => typeof p === "string").map((p) => `${where}: ${p}`);
  });

const podHardening: Rule = (objects) =>
  podTemplates(objects).flatMap((pod) => {
    const where = describeObject(pod.owner);
    const { spec } = pod;
    const problems = [
      spec.automountServiceAccountToken !== false && "automountServiceAccountToken is not false",
      (spec.hostNetwork || spec.hostPID || spec.hostIPC) && "shares a host namespace",
      spec.volumes?.some((v) => v.hostPath) && "mounts a hostPath",
    ];
    return problems.filter((p): p is string => typeof p === "string").map((p) => `${where}: ${p}`);
  });

const resources: Rule = (objects) =>
  allContainers(objects).flatMap(({ container, where }) =>
    ["requests", "limits"].flatMap((kind) =>
      ["cpu", "memory"]
        .filter((r) => container.resources?.[kind as "requests" | "limits"]?.[r] === undefined)
        .map((r) => `${where}: no ${kind}.${r}`),
    ),
  );

const images: Rule = (objects) =>
  allContainers(objects).flatMap(({ container, where }) => {
    const image = container.image ?? "";
    const [, tag] = /^(?:[^/]+\/)*[^:@/]+(?::([^@]+))?(?:@sha256:[a-f0-9]{64})?$/.exec(image) ?? [];
    if (!image.includes("@sha256:") && (tag === undefined || tag === "latest")) {
      return [`${where}: image "${image}" has no pinned tag`];
    }
    return [];
  });

function probeProblems(ref: ContainerRef): string[] {
  const { container, role } = ref;
  const probes = {
    startupProbe: container.startupProbe,
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
  };
  const problems: string[] = [];
  if (role === "app" && (!probes.livenessProbe || !probes.readinessProbe)) {
    problems.push("needs both livenessProbe and readinessProbe");
  }
  if (role === "sidecar" && !probes.livenessProbe && !probes.readinessProbe) {
    problems.push("sidecar has no probe");
  }
  for (const [name, probe] of Object.entries<IProbe | undefined>(probes)) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
    if (port !== undefined && resolvePort(container, port) === undefined) {
      problems.push(`${name} port ${port} is not a declared port`);
    }
  }
  const same = (a?: IProbe, b?: IProbe) => a && b && JSON.stringify(a) === JSON.stringify(b);
  if (same(probes.livenessProbe, probes.readinessProbe)) {
    problems.push("livenessProbe and readinessProbe are identical");
  }
  return problems.map((p) => `${ref.where}: ${p}`);
}

const probes: Rule = (objects) =>
  allContainers(objects)
    .filter((ref) => longRunningKinds.includes(ref.pod.owner.kind) && ref.role !== "init")
    .flatMap(probeProblems);

const services: Rule = (objects) =>
  objects
    .filter((o) => o.kind === "Service")
    .flatMap((service) => {
      const spec = service.spec as {
        selector?: Record<string, string>;
        ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
      };
      const where = describeObject(service);
      if (!spec.selector || Object.keys(spec.selector).length === 0)
        return [`${where}: no selector`];
      const pods = podsSelectedBy(objects, service, { matchLabels: spec.selector });
      if (pods.length === 0) return [`${where}: selects no pod template`];
      return pods.flatMap((pod) =>
        spec.ports.flatMap((port) => {
          const target = port.targetPort ?? port.port;
          // Named target ports are looked up in regular containers; numbers in any container.
          const candidates: IContainer[] =
            typeof target === "string"
              ? pod.spec.containers
              : containersOf(pod).map((ref) => ref.container);
          const match = candidates.find((c) =>
            c.ports?.some(
              (p) =>
                (typeof target === "string" ? p.name === target : p.containerPort === target) &&
                (p.protocol ?? "TCP") === (port.protocol ?? "TCP"),
            ),
          );
          return match
            ? []
            : [`${where}: port ${port.port} -> ${target} not in ${describeObject(pod.owner)}`];
        }),
      );
    });

const jobs: Rule = (objects) =>
  objects.flatMap((o) => {
    const spec = o.spec as Record<string, unknown>;
    const jobSpec =
      o.kind === "Job"
        ? spec
        : o.kind === "CronJob"
          ? (spec.jobTemplate as { spec: Record<string, unknown> }).spec
          : undefined;
    if (!jobSpec) return [];
    const where = describeObject(o);
    return [
      jobSpec.ttlSecondsAfterFinished === undefined && `${where}: no ttlSecondsAfterFinished`,
      jobSpec.backoffLimit === undefined && `${where}: no backoffLimit`,
      jobSpec.activeDeadlineSeconds === undefined && `${where}: no activeDeadlineSeconds`,
      o.kind === "CronJob" &&
        spec.concurrencyPolicy === undefined &&
        `${where}: no concurrencyPolicy`,
    ].filter((p): p is string => typeof p === "string");
  });

export const containerRules: Record<string, Rule> = {
  "security context on every container": securityContext,
  "pod hardening": podHardening,
  "requests and limits on every container": resources,
  "pinned image tags": images,
  "probes on declared ports": probes,
  "Service selectors and target ports": services,
  "Job TTL, backoff and deadline": jobs,
};
