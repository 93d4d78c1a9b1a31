// The environment a container will see, resolved from the render the way the kubelet does.
import type { IContainer } from "kubernetes-models/v1/Container";
import { configMapData, secretData, type KubeObject } from "./render";
import { sameNamespace, type PodTemplate } from "./workloads";

export interface ResolvedEnv {
  /** name -> value; undefined when the value comes from the pod at run time (fieldRef, ...). */
  values: Record<string, string | undefined>;
  /** name -> where the value comes from: "literal", "ConfigMap x", "Secret y", "fieldRef". */
  sources: Record<string, string>;
}

function lookup(objects: KubeObject[], kind: string, name: string, pod: PodTemplate) {
  const found = objects.find(
    (o) => o.kind === kind && o.metadata.name === name && sameNamespace(o.metadata, pod),
  );
  if (!found) throw new Error(`${kind} ${name} not found for ${pod.owner.metadata.name}`);
  return kind === "Secret" ? secretData(found) : configMapData(found);
}

export function containerEnv(
  objects: KubeObject[],
  pod: PodTemplate,
  container: IContainer,
): ResolvedEnv {
  const values: ResolvedEnv["values"] = {};
  const sources: ResolvedEnv["sources"] = {};
  const set = (name: string, value: string | undefined, source: string) => {
    values[name] = value;
    sources[name] = source;
  };
  // envFrom first, in order; then env, which wins (kubelet semantics).
  for (const from of container.envFrom ?? []) {
    const [kind, name] = from.configMapRef
      ? ["ConfigMap", from.configMapRef.name]
      : ["Secret", from.secretRef?.name];
    if (!name) continue;
    for (const [key, value] of Object.entries(lookup(objects, kind, name, pod))) {
      set(`${from.prefix ?? ""}${key}`, value, `${kind} ${name}`);
    }
  }
  for (const variable of container.env ?? []) {
    const { configMapKeyRef: cm, secretKeyRef: secret } = variable.valueFrom ?? {};
    const ref = cm
      ? (["ConfigMap", cm] as const)
      : secret
        ? (["Secret", secret] as const)
        : undefined;
    if (variable.value !== undefined) set(variable.name, variable.value, "literal");
    else if (ref) {
      const [kind, { name = "", key }] = ref;
      set(variable.name, lookup(objects, kind, name, pod)[key], `${kind} ${name}`);
    } else set(variable.name, undefined, "fieldRef");
  }
  return { values, sources };
}
