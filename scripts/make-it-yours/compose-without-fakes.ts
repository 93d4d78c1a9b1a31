// `--without-fakes` for a compose file: the services that run a fake (`command: [fake-...]`)
// go, with every `depends_on` entry naming them; the upstream settings become required
// (`${PRODUCT_API_URL:?...}`), so `docker compose up` stops and names each one until it is set.
import { isDeepStrictEqual } from "node:util";
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  type Scalar,
  visit,
} from "yaml";
import { GUIDE, isFakeCommand, isUpstreamSetting, UPSTREAM_SETTINGS } from "./upstream-settings";
import { applyEdits, itemLines, leadingComments, type TextEdit } from "./yaml-edits";

export interface ComposeWithoutFakes {
  readonly text: string;
  readonly removedServices: readonly string[];
  readonly requiredSettings: readonly string[];
}

const required = (name: string) =>
  `\${${name}:?set ${name}: ${UPSTREAM_SETTINGS[name]} (${GUIDE})}`;
const isRequired = (value: unknown) => typeof value === "string" && value.startsWith("${");

// `merge`: compose's `<<: *app` are merge keys, so the data compared is what compose sees.
const parse = (source: string): Document => parseDocument(source, { merge: true });
const dataOf = (document: Document): unknown => document.toJS({ maxAliasCount: -1 }) as unknown;

type Service = Record<string, unknown>;

/** What the file must mean afterwards, worked out on plain data, apart from the text edits. */
function expectedData(data: { services: Record<string, Service> }, removed: ReadonlySet<string>) {
  const requireSettings = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return (value as unknown[]).map((item) => {
        const setting = typeof item === "string" ? /^([A-Z0-9_]+)=/.exec(item)?.[1] : undefined;
        if (setting === undefined || !isUpstreamSetting(setting)) return requireSettings(item);
        const current = String(item).slice(setting.length + 1);
        return isRequired(current) ? item : `${setting}=${required(setting)}`;
      });
    }
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        isUpstreamSetting(key) && typeof item === "string" && !isRequired(item)
          ? required(key)
          : requireSettings(item),
      ]),
    );
  };
  const withoutRemoved = (service: Service): Service => {
    const { depends_on: dependsOn, ...rest } = service;
    if (dependsOn === undefined || dependsOn === null) return service;
    const left = Array.isArray(dependsOn)
      ? dependsOn.filter((other) => !removed.has(String(other)))
      : Object.fromEntries(Object.entries(dependsOn).filter(([other]) => !removed.has(other)));
    return Object.keys(left).length === 0 ? rest : { ...rest, depends_on: left };
  };
  const services = Object.entries(data.services)
    .filter(([name]) => !removed.has(name))
    .map(([name, service]): [string, Service] => [name, withoutRemoved(service)]);
  return requireSettings({ ...data, services: Object.fromEntries(services) });
}

export function composeWithoutFakes(source: string): ComposeWithoutFakes | undefined {
  const document = parse(source);
  if (document.errors.length > 0) return undefined;
  const services = document.get("services", true);
  if (!isMap(services)) return undefined;
  const data = dataOf(document) as { services: Record<string, Service> };
  const removed = new Set(
    Object.entries(data.services)
      .filter(([, service]) => isFakeCommand(service.command))
      .map(([name]) => name),
  );
  // Without fakes in the file its upstream settings are the user's own: leave them be.
  if (removed.size === 0) return undefined;

  const cuts: TextEdit[] = [];
  const cut = (node: unknown, item: "pair" | "sequence item") => {
    const range = (node as Node | null)?.range;
    const lines = range ? itemLines(source, range[0], item) : undefined;
    if (lines === undefined) throw new Error("an entry to remove is not in block style");
    cuts.push({ ...lines, text: "" });
  };
  for (const pair of services.items) {
    if (isScalar(pair.key) && removed.has(String(pair.key.value))) {
      cut(pair.key, "pair");
      continue;
    }
    const dependsOnPair = isMap(pair.value)
      ? pair.value.items.find((item) => isScalar(item.key) && item.key.value === "depends_on")
      : undefined;
    const dependsOn = dependsOnPair?.value;
    const entries: unknown[] = isMap(dependsOn) || isSeq(dependsOn) ? dependsOn.items : [];
    const gone = entries.filter((entry) => {
      const key = isPair(entry) ? entry.key : entry;
      return isScalar(key) && removed.has(String(key.value));
    });
    if (gone.length > 0 && gone.length === entries.length) cut(dependsOnPair?.key, "pair");
    else
      for (const entry of gone) {
        if (isPair(entry)) cut(entry.key, "pair");
        else cut(entry, "sequence item");
      }
  }

  const inCut = (offset: number) => cuts.some((span) => offset >= span.start && offset < span.end);
  const edits: TextEdit[] = [...cuts];
  const requiredSettings = new Set<string>();
  const anchored: Scalar[] = [];
  visit(document, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value) || pair.value.range == null) return;
      const name = String(pair.key.value);
      if (!isUpstreamSetting(name) || isRequired(pair.value.value)) return;
      const [start, end] = pair.value.range;
      if (inCut(start)) return;
      edits.push({ start, end, text: JSON.stringify(required(name)) });
      // The comments above the entry described the fake it pointed at.
      const comments = leadingComments(source, pair.key.range?.[0] ?? start);
      if (comments.start < comments.end) edits.push({ ...comments, text: "" });
      if (pair.value.anchor !== undefined) anchored.push(pair.value);
      requiredSettings.add(name);
    },
    Scalar(_, scalar) {
      if (typeof scalar.value !== "string" || scalar.range == null) return;
      const setting = /^([A-Z0-9_]+)=/.exec(scalar.value)?.[1];
      if (setting === undefined || !isUpstreamSetting(setting) || inCut(scalar.range[0])) return;
      if (isRequired(scalar.value.slice(setting.length + 1))) return;
      const text = JSON.stringify(`${setting}=${required(setting)}`);
      edits.push({ start: scalar.range[0], end: scalar.range[1], text });
      requiredSettings.add(setting);
    },
  });
  edits.push(...unusedAnchors(source, document, anchored, inCut));

  const text = applyEdits(source, edits);
  const after = parse(text);
  if (after.errors.length > 0 || !isDeepStrictEqual(dataOf(after), expectedData(data, removed))) {
    throw new Error("removing the fakes would change more than the fakes and upstream settings");
  }
  return { text, removedServices: [...removed], requiredSettings: [...requiredSettings] };
}

/** An anchor whose every alias went with the fakes is dead weight: `&auth-issuer` goes too. */
function unusedAnchors(
  source: string,
  document: Document,
  scalars: readonly Scalar[],
  inCut: (offset: number) => boolean,
): TextEdit[] {
  const aliasesLeft = new Set<string>();
  visit(document, {
    Alias(_, alias) {
      if (!inCut(alias.range?.[0] ?? -1)) aliasesLeft.add(alias.source);
    },
  });
  return scalars.flatMap((scalar) => {
    const anchor = scalar.anchor ?? "";
    const start = scalar.range?.[0] ?? 0;
    const mark = source.lastIndexOf(`&${anchor}`, start);
    const between = source.slice(mark + anchor.length + 1, start);
    if (aliasesLeft.has(anchor) || mark === -1 || !/^\s+$/.test(between)) return [];
    return [{ start: mark, end: start, text: "" }];
  });
}
