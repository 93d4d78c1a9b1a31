// `--without-fakes` for a kustomize overlay: the workloads that run a fake go, with the
// Services, NetworkPolicies (or their rules) and budgets that select only the fakes' pods, the
// files left empty and their `resources:` entries; the upstream settings in the overlay's
// generators become empty, which the service refuses to start with, naming each one.
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  type Document,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  type Scalar,
} from "yaml";
import { kindOf } from "./file-kinds";
import type { Plan } from "./plan";
import {
  type KubeObject,
  type Labels,
  matchLabelsOf,
  podLabelsOf,
  podTemplateOf,
  runsOnlyFakes,
  selectsOnly,
} from "./pod-selectors";
import { GUIDE, isUpstreamSetting } from "./upstream-settings";
import { applyEdits, itemLines, leadingComments, lineOpening, type TextEdit } from "./yaml-edits";

export interface OverlayWithoutFakes {
  readonly removedObjects: readonly string[];
  readonly removedFiles: readonly string[];
  readonly requiredSettings: readonly string[];
  /** Objects that involve the fakes but could not be pruned with certainty: left unchanged. */
  readonly unsure: readonly string[];
}

const toData = (document: Document): unknown => document.toJS({ maxAliasCount: -1 }) as unknown;
const describe = (object: KubeObject) => `${object.kind ?? "?"} ${object.metadata?.name ?? "?"}`;

interface Workload {
  readonly file: string;
  readonly object: KubeObject;
}

function workloadsUnder(plan: Plan, directory: string): Workload[] {
  return plan.files().flatMap((file) => {
    if (!file.startsWith(`${directory}/`) || kindOf(file) !== "yaml") return [];
    const documents = parseAllDocuments(plan.read(file) ?? "");
    return documents.flatMap((document) => {
      if (document.errors.length > 0) return [];
      const object = toData(document) as KubeObject | null;
      return object !== null && podTemplateOf(object) !== undefined ? [{ file, object }] : [];
    });
  });
}

const PEERS = { egress: "to", ingress: "from" } as const;
type Direction = keyof typeof PEERS;

interface Verdict {
  readonly remove: boolean;
  /** Rules to drop from a policy that stays, as [direction, index]. */
  readonly rules: readonly (readonly [Direction, number])[];
  readonly unsure: boolean;
}

function judge(
  object: KubeObject,
  fakeNames: ReadonlySet<string>,
  fakes: readonly Labels[],
  others: readonly Labels[],
): Verdict {
  const keep: Verdict = { remove: false, rules: [], unsure: false };
  const spec = object.spec ?? {};
  switch (object.kind) {
    case "Service":
      return { ...keep, remove: selectsOnly(spec.selector, fakes, others) };
    case "PodDisruptionBudget":
      return { ...keep, remove: selectsOnly(matchLabelsOf(spec.selector), fakes, others) };
    case "HorizontalPodAutoscaler": {
      const target = spec.scaleTargetRef as { kind?: string; name?: string } | undefined;
      return { ...keep, remove: fakeNames.has(`${target?.kind} ${target?.name}`) };
    }
    case "NetworkPolicy":
      return judgePolicy(spec, fakes, others);
    default:
      return { ...keep, remove: runsOnlyFakes(object) };
  }
}

function judgePolicy(
  spec: Record<string, unknown>,
  fakes: readonly Labels[],
  others: readonly Labels[],
): Verdict {
  if (selectsOnly(matchLabelsOf(spec.podSelector), fakes, others)) {
    return { remove: true, rules: [], unsure: false };
  }
  const onlyFakes = (peer: Record<string, unknown>) =>
    Object.keys(peer).length === 1 && selectsOnly(matchLabelsOf(peer.podSelector), fakes, others);
  const rules: (readonly [Direction, number])[] = [];
  const emptied: Direction[] = [];
  for (const direction of Object.keys(PEERS) as Direction[]) {
    const list = spec[direction];
    if (!Array.isArray(list)) continue;
    const gone = list.flatMap((rule: Record<string, unknown>, index) => {
      const peers = rule[PEERS[direction]];
      return Array.isArray(peers) && peers.length > 0 && peers.every(onlyFakes) ? [index] : [];
    });
    rules.push(...gone.map((index) => [direction, index] as const));
    if (gone.length > 0 && gone.length === list.length) emptied.push(direction);
  }
  if (emptied.length === 0) return { remove: false, rules, unsure: false };
  // A policy left with no rule for a direction it restricts would deny all of that traffic.
  // It only added allowances for the fakes when that direction is all it restricts.
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  const other = emptied[0] === "egress" ? "ingress" : "egress";
  const allowsOnlyFakes =
    emptied.length === 1 &&
    types.length === 1 &&
    String(types[0]).toLowerCase() === emptied[0] &&
    spec[other] === undefined;
  return allowsOnlyFakes
    ? { remove: true, rules: [], unsure: false }
    : { remove: false, rules: [], unsure: true };
}

function pruneResourceFile(
  source: string,
  fakeNames: ReadonlySet<string>,
  fakes: readonly Labels[],
  others: readonly Labels[],
) {
  const documents = parseAllDocuments(source);
  const edits: TextEdit[] = [];
  const removed: string[] = [];
  const pruned: string[] = [];
  const unsure: string[] = [];
  const expected: unknown[] = [];
  let objects = 0;
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(document.errors[0]?.message);
    const object = toData(document) as KubeObject | null;
    if (object === null) continue; // comments only
    objects += 1;
    const verdict = judge(object, fakeNames, fakes, others);
    if (verdict.unsure) unsure.push(describe(object));
    if (verdict.remove) {
      removed.push(describe(object));
      edits.push({ start: document.range[0], end: document.range[2], text: "" });
      continue;
    }
    const spec: Record<string, unknown> = { ...object.spec };
    for (const direction of Object.keys(PEERS) as Direction[]) {
      const gone = verdict.rules.filter(([d]) => d === direction).map(([, index]) => index);
      if (gone.length === 0) continue;
      for (const index of gone) {
        const rule = document.getIn(["spec", direction, index], true) as Scalar | undefined;
        const lines = rule?.range ? itemLines(source, rule.range[0], "sequence item") : undefined;
        if (lines === undefined) throw new Error(`a ${direction} rule is not in block style`);
        edits.push({ ...lines, text: "" });
      }
      spec[direction] = (spec[direction] as unknown[]).filter((_, i) => !gone.includes(i));
      pruned.push(`${describe(object)} (its ${direction} to the fakes)`);
    }
    expected.push(verdict.rules.length > 0 ? { ...object, spec } : object);
  }
  const emptied = objects > 0 && removed.length === objects;
  const text = applyEdits(source, edits);
  if (!emptied && edits.length > 0) {
    const after = parseAllDocuments(text)
      .map(toData)
      .filter((object) => object !== null);
    if (!isDeepStrictEqual(after, expected)) {
      throw new Error("pruning the fakes would change more than their objects and rules");
    }
  }
  return { text, removed, pruned, unsure, emptied };
}

const REQUIRED_COMMENT = `# Required (${GUIDE}): the service refuses to start while one is empty.`;

/** The overlay's kustomization: gone resources, patches of gone objects, required settings. */
function pruneKustomization(
  source: string,
  goneFiles: ReadonlySet<string>,
  goneObjects: ReadonlySet<string>,
) {
  const document = parseDocument(source);
  const edits: TextEdit[] = [];
  const required: string[] = [];
  const cutItem = (node: unknown) => {
    const range = (node as Scalar | undefined)?.range;
    const lines = range ? itemLines(source, range[0], "sequence item") : undefined;
    if (lines === undefined)
      throw new Error("a kustomization entry to remove is not in block style");
    edits.push({ ...lines, text: "" });
  };
  const data = toData(document) as Record<string, unknown>;
  const expected = structuredClone(data) as Record<string, unknown[]>;

  const resources = document.get("resources", true);
  if (isSeq(resources)) {
    resources.items.forEach((item) => {
      if (isScalar(item) && goneFiles.has(String(item.value))) cutItem(item);
    });
    expected.resources = (expected.resources ?? []).filter((r) => !goneFiles.has(String(r)));
  }
  const patches = document.get("patches", true);
  if (isSeq(patches)) {
    const kept: unknown[] = [];
    (data.patches as { target?: { kind?: string; name?: string } }[]).forEach((patch, index) => {
      if (goneObjects.has(`${patch.target?.kind} ${patch.target?.name}`))
        cutItem(patches.items[index]);
      else kept.push(patch);
    });
    expected.patches = kept;
  }
  for (const generator of ["configMapGenerator", "secretGenerator"]) {
    const list = document.get(generator, true);
    if (!isSeq(list)) continue;
    list.items.forEach((_, index) => {
      const literals = document.getIn([generator, index, "literals"], true);
      if (!isSeq(literals)) return;
      let first = true;
      literals.items.forEach((literal, at) => {
        const setting = isScalar(literal)
          ? /^([A-Z0-9_]+)=(.*)$/s.exec(String(literal.value))
          : null;
        if (setting === null || !isUpstreamSetting(setting[1] ?? "") || setting[2] === "") return;
        const range = (literal as Scalar).range ?? [0, 0];
        const comments = leadingComments(source, range[0]);
        const opening = lineOpening(source, range[0]);
        edits.push({
          start: comments.start,
          end: comments.end,
          text: first ? `${opening.indent}${REQUIRED_COMMENT}\n` : "",
        });
        edits.push({ start: range[0], end: range[1], text: `${setting[1]}=` });
        const target = (expected[generator] as { literals: string[] }[])[index]!;
        target.literals[at] = `${setting[1]}=`;
        required.push(setting[1]!);
        first = false;
      });
    });
  }
  const text = applyEdits(source, edits);
  if (edits.length > 0 && !isDeepStrictEqual(toData(parseDocument(text)), expected)) {
    throw new Error("pruning the kustomization would change more than the fakes' entries");
  }
  return { text, required };
}

export function overlayWithoutFakes(plan: Plan, overlay: string): OverlayWithoutFakes | undefined {
  const kustomizationFile = `${overlay}/kustomization.yaml`;
  const kustomization = plan.read(kustomizationFile);
  if (kustomization === undefined) return undefined;
  const resources =
    (toData(parseDocument(kustomization)) as { resources?: unknown[] }).resources ?? [];
  const localFiles = resources
    .map((resource) => path.posix.normalize(`${overlay}/${String(resource)}`))
    .filter((file) => plan.files().includes(file) && kindOf(file) === "yaml");

  const all = workloadsUnder(plan, "k8s");
  const fakeWorkloads = all.filter((w) => localFiles.includes(w.file) && runsOnlyFakes(w.object));
  if (fakeWorkloads.length === 0) return undefined;
  const fakes = fakeWorkloads.map((w) => podLabelsOf(w.object));
  const others = all.filter((w) => !fakeWorkloads.includes(w)).map((w) => podLabelsOf(w.object));
  const fakeNames = new Set(fakeWorkloads.map((w) => describe(w.object)));

  const removedObjects: string[] = [];
  const removedFiles: string[] = [];
  const unsure: string[] = [];
  for (const file of localFiles) {
    const result = pruneResourceFile(plan.read(file) ?? "", fakeNames, fakes, others);
    removedObjects.push(...result.removed);
    unsure.push(...result.unsure.map((object) => `${file}: ${object}`));
    if (result.emptied) {
      plan.remove(file, `removed: it held only the fakes (${result.removed.join(", ")})`);
      removedFiles.push(file);
      continue;
    }
    const changes = [
      ...result.removed.map((o) => `removed ${o}`),
      ...result.pruned.map((o) => `pruned ${o}`),
    ];
    if (changes.length > 0)
      plan.write(file, result.text, `without the fakes: ${changes.join("; ")}`);
  }
  const goneFiles = new Set(removedFiles.map((file) => path.posix.relative(overlay, file)));
  const goneObjects = new Set(removedObjects);
  const pruned = pruneKustomization(kustomization, goneFiles, goneObjects);
  plan.write(kustomizationFile, pruned.text);
  if (goneFiles.size > 0)
    plan.note(kustomizationFile, `resources without ${[...goneFiles].join(", ")}`);
  if (pruned.required.length > 0) {
    plan.note(kustomizationFile, `required, left empty: ${pruned.required.join(", ")}`);
  }
  return { removedObjects, removedFiles, requiredSettings: pruned.required, unsure };
}
