// Policy rules across objects: availability (HPA, PDB, spreading), NetworkPolicy coverage and
// references that must resolve inside the rendered set.
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { Rule } from "./policy";
import { describeObject, type KubeObject } from "./render";
import { allContainers, podTemplates, sameNamespace, selects } from "./workloads";

const ofKind = <T>(objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as unknown as (T & KubeObject)[];

/** How many pods a PDB lets go at once, for `replicas` pods (0 = it blocks every drain). */
function disruptionsAllowed(pdb: IPodDisruptionBudget, replicas: number): number {
  const fraction = (v: number | string, round: (n: number) => number) =>
    typeof v === "string" ? round((replicas * parseInt(v, 10)) / 100) : v;
  const { maxUnavailable, minAvailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) return fraction(maxUnavailable, Math.ceil);
  if (minAvailable !== undefined) return replicas - fraction(minAvailable, Math.ceil);
  return replicas;
}

const availability: Rule = (objects) =>
  ofKind<IHorizontalPodAutoscaler>(objects, "HorizontalPodAutoscaler").flatMap((hpa) => {
    const where = describeObject(hpa);
    const spec = hpa.spec;
    const target = objects.find(
      (o) =>
        o.kind === spec?.scaleTargetRef.kind &&
        o.metadata.name === spec.scaleTargetRef.name &&
        sameNamespace(o.metadata, hpa.metadata),
    );
    if (!spec || !target) return [`${where}: scale target not found`];
    const minReplicas = spec.minReplicas ?? 1;
    const problems: string[] = [];
    if (minReplicas < 2) problems.push(`${where}: minReplicas ${minReplicas} < 2`);
    if ((target.spec as { replicas?: number }).replicas !== undefined) {
      problems.push(`${describeObject(target)}: sets replicas, which fights the HPA on apply`);
    }
    const [pod] = podTemplates([target]);
    const containers = new Set(pod?.spec.containers.map((c) => c.name));
    for (const metric of spec.metrics ?? []) {
      const container = metric.containerResource?.container;
      if (container !== undefined && !containers.has(container)) {
        problems.push(`${where}: ContainerResource names unknown container ${container}`);
      }
    }
    const pdbs = ofKind<IPodDisruptionBudget>(objects, "PodDisruptionBudget").filter(
      (pdb) =>
        pod &&
        sameNamespace(pdb.metadata, hpa.metadata) &&
        selects(pdb.spec?.selector ?? { matchLabels: { never: "" } }, pod.labels),
    );
    if (pdbs.length !== 1) problems.push(`${where}: ${pdbs.length} PDBs cover its pods, want 1`);
    for (const pdb of pdbs) {
      const allowed = disruptionsAllowed(pdb, minReplicas);
      if (allowed < 1) problems.push(`${describeObject(pdb)}: blocks every drain at min replicas`);
      if (allowed >= minReplicas) problems.push(`${describeObject(pdb)}: allows every pod to go`);
      if (pdb.spec?.unhealthyPodEvictionPolicy !== "AlwaysAllow") {
        problems.push(`${describeObject(pdb)}: unhealthy pods wait for the budget`);
      }
    }
    const spread = pod?.spec.topologySpreadConstraints?.find(
      (t) =>
        t.topologyKey === "kubernetes.io/hostname" && selects(t.labelSelector ?? {}, pod.labels),
    );
    if (!spread) problems.push(`${describeObject(target)}: pods not spread across nodes`);
    return problems;
  });

const policyTypes = (p: INetworkPolicy) =>
  p.spec?.policyTypes ?? (p.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);

const networkPolicies: Rule = (objects) => {
  const policies = ofKind<INetworkPolicy>(objects, "NetworkPolicy");
  const namespaces = new Set(podTemplates(objects).map((p) => p.namespace ?? ""));
  const problems = [...namespaces]
    .filter(
      (ns) =>
        !policies.some(
          (p) =>
            (p.metadata.namespace ?? "") === ns &&
            Object.keys(p.spec?.podSelector ?? { none: 1 }).length === 0 &&
            policyTypes(p).length === 2 &&
            !p.spec?.ingress &&
            !p.spec?.egress,
        ),
    )
    .map((ns) => `namespace "${ns}": no default-deny NetworkPolicy`);
  for (const pod of podTemplates(objects)) {
    for (const type of ["Ingress", "Egress"] as const) {
      const covered = policies.some(
        (p) =>
          sameNamespace(p.metadata, pod) &&
          policyTypes(p).includes(type) &&
          selects(p.spec?.podSelector ?? {}, pod.labels),
      );
      if (!covered) problems.push(`${describeObject(pod.owner)}: no ${type} NetworkPolicy`);
    }
  }
  return problems;
};

const references: Rule = (objects) => {
  const lookup = (kind: string, name: string, ns: string | undefined) =>
    objects.find(
      (o) =>
        o.kind === kind && o.metadata.name === name && sameNamespace(o.metadata, { namespace: ns }),
    );
  const problems: string[] = [];
  const need = (
    where: string,
    kind: string,
    name?: string,
    ns?: string,
    key?: string,
    optional?: boolean,
  ) => {
    if (!name || optional) return;
    const found = lookup(kind, name, ns);
    if (!found) problems.push(`${where}: ${kind} ${name} not found`);
    else if (key !== undefined && !Object.keys(found.data ?? {}).includes(key)) {
      problems.push(`${where}: ${kind} ${name} has no key ${key}`);
    }
  };
  for (const pod of podTemplates(objects)) {
    const where = describeObject(pod.owner);
    need(where, "ServiceAccount", pod.spec.serviceAccountName, pod.namespace);
    for (const v of pod.spec.volumes ?? []) {
      need(where, "ConfigMap", v.configMap?.name, pod.namespace, undefined, v.configMap?.optional);
      need(where, "Secret", v.secret?.secretName, pod.namespace, undefined, v.secret?.optional);
    }
  }
  for (const { pod, container, where } of allContainers(objects)) {
    for (const from of container.envFrom ?? []) {
      need(
        where,
        "ConfigMap",
        from.configMapRef?.name,
        pod.namespace,
        undefined,
        from.configMapRef?.optional,
      );
      need(
        where,
        "Secret",
        from.secretRef?.name,
        pod.namespace,
        undefined,
        from.secretRef?.optional,
      );
    }
    for (const { valueFrom } of container.env ?? []) {
      const cm = valueFrom?.configMapKeyRef;
      const secret = valueFrom?.secretKeyRef;
      need(where, "ConfigMap", cm?.name, pod.namespace, cm?.key, cm?.optional);
      need(where, "Secret", secret?.name, pod.namespace, secret?.key, secret?.optional);
    }
  }
  return problems;
};

export const clusterRules: Record<string, Rule> = {
  "HPA, PDB and spreading agree": availability,
  "NetworkPolicy default-deny covers every pod": networkPolicies,
  "references resolve within the render": references,
};
