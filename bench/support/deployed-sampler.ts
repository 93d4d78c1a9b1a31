// The sampler the Kubernetes tracing component deploys (k8s/components/tracing), read from the
// component itself, so the bench's "tracing on as deployed" is what a cluster runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "./child-processes";

const COMPONENT = path.join(PROJECT_ROOT, "k8s/components/tracing/kustomization.yaml");
const SAMPLER_NAMES = ["OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"];

interface Component {
  configMapGenerator?: { literals?: string[] }[];
}

export function deployedSamplerEnvironment(): Record<string, string> {
  const component = parse(readFileSync(COMPONENT, "utf8")) as Component;
  const literals = (component.configMapGenerator ?? []).flatMap((map) => map.literals ?? []);
  const settings = Object.fromEntries(
    literals
      .map((literal) => literal.split("=", 2) as [string, string])
      .filter(([name]) => SAMPLER_NAMES.includes(name)),
  );
  if (!settings.OTEL_TRACES_SAMPLER) {
    throw new Error(`${path.relative(PROJECT_ROOT, COMPONENT)} sets no OTEL_TRACES_SAMPLER`);
  }
  return settings;
}
