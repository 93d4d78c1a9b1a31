// Files a container sees from ConfigMap volumes, keyed by their path inside the container.
import type { IContainer } from "kubernetes-models/v1/Container";
import { loadWithIncludes, type Section } from "./fluent-bit-config";
import { configMapData, type KubeObject } from "./render";
import { containersOf, sameNamespace, type PodTemplate } from "./workloads";

export function mountedFiles(
  objects: KubeObject[],
  pod: PodTemplate,
  container: IContainer,
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.spec.volumes?.find((v) => v.name === mount.name);
    const name = volume?.configMap?.name;
    if (!name) continue;
    if (volume.configMap?.items || mount.subPath) throw new Error("items/subPath: not modelled");
    const configMap = objects.find(
      (o) => o.kind === "ConfigMap" && o.metadata.name === name && sameNamespace(o.metadata, pod),
    );
    if (!configMap) throw new Error(`ConfigMap ${name} not found`);
    for (const [key, text] of Object.entries(configMapData(configMap))) {
      files[`${mount.mountPath.replace(/\/$/, "")}/${key}`] = text;
    }
  }
  return files;
}

export const fluentBitContainer = (pod: PodTemplate): IContainer | undefined =>
  containersOf(pod).find((ref) => ref.container.image?.startsWith("fluent/fluent-bit:"))?.container;

export const statsdExporterContainer = (pod: PodTemplate): IContainer | undefined =>
  containersOf(pod).find((ref) => ref.container.image?.startsWith("prom/statsd-exporter:"))
    ?.container;

/** Fluent Bit's effective config: the file named by --config=, with its @INCLUDEs. */
export function fluentBitConfig(objects: KubeObject[], pod: PodTemplate): Section[] | undefined {
  const container = fluentBitContainer(pod);
  if (!container) return undefined;
  const flag = [...(container.command ?? []), ...(container.args ?? [])].find((a) =>
    a.startsWith("--config="),
  );
  if (!flag) throw new Error("fluent-bit has no --config= argument");
  return loadWithIncludes(flag.slice("--config=".length), mountedFiles(objects, pod, container));
}
