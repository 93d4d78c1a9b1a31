// Pod templates and containers of rendered workloads, with the facts policy rules need.
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { KubeObject } from "./render";

export interface PodTemplate {
  owner: KubeObject;
  namespace: string | undefined;
  labels: Record<string, string>;
  spec: IPodSpec;
}

/** app: a regular container; sidecar: a native sidecar (restartable init container). */
export type ContainerRole = "app" | "sidecar" | "init";

export interface ContainerRef {
  pod: PodTemplate;
  container: IContainer;
  role: ContainerRole;
  /** e.g. "Deployment/order-service container order-service" */
  where: string;
}

export const longRunningKinds = ["Deployment", "StatefulSet", "DaemonSet"];

interface Template {
  metadata?: { labels?: Record<string, string> };
  spec: IPodSpec;
}

function templateOf(object: KubeObject): Template | undefined {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (object.kind === "CronJob") {
    const jobSpec = (spec.jobTemplate as { spec?: { template?: Template } } | undefined)?.spec;
    return jobSpec?.template;
  }
  if ([...longRunningKinds, "Job", "ReplicaSet"].includes(object.kind)) {
    return spec.template as Template | undefined;
  }
  return undefined;
}

export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template = templateOf(owner);
    if (!template) return [];
    return [
      {
        owner,
        namespace: owner.metadata.namespace,
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
      },
    ];
  });
}

export function containersOf(pod: PodTemplate): ContainerRef[] {
  const name = `${pod.owner.kind}/${pod.owner.metadata.name}`;
  const init = (pod.spec.initContainers ?? []).map((container): ContainerRef => ({
    pod,
    container,
    role: container.restartPolicy === "Always" ? "sidecar" : "init",
    where: `${name} initContainer ${container.name}`,
  }));
  const regular = pod.spec.containers.map((container): ContainerRef => ({
    pod,
    container,
    role: "app",
    where: `${name} container ${container.name}`,
  }));
  return [...init, ...regular];
}

export const allContainers = (objects: KubeObject[]): ContainerRef[] =>
  podTemplates(objects).flatMap(containersOf);

export function podOf(objects: KubeObject[], kind: string, name: string): PodTemplate {
  const pod = podTemplates(objects).find(
    (p) => p.owner.kind === kind && p.owner.metadata.name === name,
  );
  if (!pod) throw new Error(`no pod template for ${kind}/${name}`);
  return pod;
}

export function containerOf(pod: PodTemplate, name: string): IContainer {
  const found = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
    (c) => c.name === name,
  );
  if (!found) throw new Error(`${pod.owner.metadata.name} has no container ${name}`);
  return found;
}

/** The container's port number for a probe/Service port given by number or by name. */
export function resolvePort(container: IContainer, port: number | string): number | undefined {
  if (typeof port === "number") {
    return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  }
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
    const value = labels[key];
    switch (operator) {
      case "In":
        return value !== undefined && (values ?? []).includes(value);
      case "NotIn":
        return value === undefined || !(values ?? []).includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

export const sameNamespace = (a: { namespace?: string }, b: { namespace?: string }): boolean =>
  (a.namespace ?? "") === (b.namespace ?? "");

/** Pod templates in `by`'s namespace whose labels `selector` selects. */
export function podsSelectedBy(
  objects: KubeObject[],
  by: KubeObject,
  selector: LabelSelector,
): PodTemplate[] {
  return podTemplates(objects).filter(
    (p) => sameNamespace(p, by.metadata) && selects(selector, p.labels),
  );
}
