// Which pods a Kubernetes object runs or selects, from its YAML alone: enough to tell the
// objects that exist only for the fakes (their Services, policies, disruption budgets) from
// the ones the service needs.
import { isFakeCommand } from "./upstream-settings";

export type Labels = Readonly<Record<string, string>>;

export interface KubeObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: Record<string, unknown>;
}

interface PodTemplate {
  metadata?: { labels?: Labels };
  spec?: { containers?: Container[]; initContainers?: Container[] };
}
interface Container {
  command?: unknown;
  args?: unknown;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** The pod template of a workload (CronJobs one level deeper); undefined for anything else. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  if (object.kind === "Pod") return object as PodTemplate;
  const spec =
    object.kind === "CronJob" ? asRecord(asRecord(object.spec?.jobTemplate)?.spec) : object.spec;
  return asRecord(spec?.template);
}

/** A workload whose every container runs one of the fakes' commands. */
export function runsOnlyFakes(object: KubeObject): boolean {
  const containers = podTemplateOf(object)?.spec?.containers ?? [];
  return (
    containers.length > 0 &&
    containers.every(
      (c) => isFakeCommand(c.command) || (c.command === undefined && isFakeCommand(c.args)),
    )
  );
}

export const podLabelsOf = (object: KubeObject): Labels =>
  podTemplateOf(object)?.metadata?.labels ?? {};

const selects = (selector: Labels, pod: Labels) =>
  Object.entries(selector).every(([key, value]) => pod[key] === value);

/**
 * A label selector (matchLabels only) that picks at least one of the fakes' pods and none of
 * the others'. An empty selector picks every pod; one with matchExpressions is not judged.
 */
export function selectsOnly(
  selector: unknown,
  fakes: readonly Labels[],
  others: readonly Labels[],
): boolean {
  const labels = asRecord(selector);
  if (labels === undefined || Object.keys(labels).length === 0) return false;
  if (Object.values(labels).some((value) => typeof value !== "string")) return false;
  const wanted = labels as Labels;
  return fakes.some((pod) => selects(wanted, pod)) && !others.some((pod) => selects(wanted, pod));
}

/** `{ matchLabels }` of a LabelSelector, or undefined when it also has matchExpressions. */
export function matchLabelsOf(selector: unknown): unknown {
  const record = asRecord(selector);
  if (record === undefined || record.matchExpressions !== undefined) return undefined;
  return record.matchLabels;
}
