// Renders k8s/ with `kubectl kustomize` (what `kubectl apply -k` applies) and parses the result.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

export const repoRoot = path.resolve(__dirname, "../../..");

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** What users deploy, plus test-only compositions of the optional components. */
export const renderTargets = {
  kind: "k8s/overlays/kind",
  "kind+loki": "test/manifests/fixtures/overlays/kind-loki",
  "kind+tracing": "test/manifests/fixtures/overlays/kind-tracing",
  "kind+rollout-check": "test/manifests/fixtures/overlays/kind-rollout-check",
} as const;
export type RenderTarget = keyof typeof renderTargets;
export const targetNames = Object.keys(renderTargets) as RenderTarget[];

function findKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const hasKubectl = findKubectl();

/**
 * `describe`, or (without kubectl) one skipped test that says why. The body is not even run
 * then, since it renders while jest collects tests.
 */
export function describeRendered(name: string, body: () => void): void {
  if (hasKubectl) {
    describe(name, body);
  } else {
    describe(name, () => {
      it.skip("SKIPPED: kubectl is not on PATH; install kubectl >= 1.27 to render k8s/", () => {});
    });
  }
}

const isObject = (value: unknown): value is KubeObject =>
  typeof value === "object" && value !== null;

export function parseYamlDocuments(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap<KubeObject>((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return isObject(value) ? [value] : []; // an empty document between `---` is null
  });
}

export function readYaml(relativePath: string): KubeObject[] {
  return parseYamlDocuments(readFileSync(path.join(repoRoot, relativePath), "utf8"), relativePath);
}

export function kustomize(relativeDir: string): KubeObject[] {
  const output = execFileSync("kubectl", ["kustomize", path.join(repoRoot, relativeDir)], {
    encoding: "utf8",
    maxBuffer: 32 * 1024 * 1024,
  });
  return parseYamlDocuments(output, `kubectl kustomize ${relativeDir}`);
}

const rendered = new Map<RenderTarget, KubeObject[]>();

export function render(target: RenderTarget): KubeObject[] {
  let objects = rendered.get(target);
  if (!objects) {
    objects = kustomize(renderTargets[target]);
    rendered.set(target, objects);
  }
  return objects;
}

export const describeObject = (o: KubeObject): string => `${o.kind}/${o.metadata.name}`;

export function findObject<T = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not in the rendered manifests`);
  return found as T;
}

/** Generated ConfigMaps and Secrets carry a hash suffix; find them by the name they were given. */
export function findGenerated(objects: KubeObject[], kind: string, baseName: string): KubeObject {
  const found = objects.filter(
    (o) => o.kind === kind && new RegExp(`^${baseName}-[a-z0-9]{10}$`).test(o.metadata.name),
  );
  if (found.length !== 1) throw new Error(`expected one generated ${kind} ${baseName}`);
  return found[0] as KubeObject;
}

export function configMapData(object: KubeObject): Record<string, string> {
  return (object.data ?? {}) as Record<string, string>;
}

export function secretData(object: KubeObject): Record<string, string> {
  const data = (object.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
  );
}
