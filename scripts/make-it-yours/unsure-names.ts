// What the command leaves for a person: the places a name may be meant but is not written as
// an identity, so renaming it would be a guess.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { kindOf } from "./file-kinds";
import type { Identity } from "./identity";
import type { Plan } from "./plan";

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

const linesMatching = (text: string, pattern: RegExp): number[] => [
  ...new Set([...text.matchAll(pattern)].map((match) => lineOf(text, match.index))),
];

function byFile(plan: Plan, pattern: RegExp, include: (file: string) => boolean): string[] {
  return plan.files().flatMap((file) => {
    const text = include(file) ? plan.read(file) : undefined;
    const lines = text === undefined ? [] : linesMatching(text, pattern);
    return lines.length === 0 ? [] : [`${file}:${lines.join(",")}`];
  });
}

/**
 * The service's name as words ("order service" in an alert summary or a title): prose, which
 * may mean the domain as much as the name.
 */
export function proseMentions(plan: Plan, identity: Identity): string[] {
  const words = identity.from.kebab.split("-");
  if (words.length < 2) return [];
  const pattern = new RegExp(`\\b${words.join("[ ]")}\\b`, "gi");
  return byFile(plan, pattern, () => true);
}

/** `OrderService...` left outside code: an alert that is mentioned but not defined, say. */
export function pascalLeftovers(plan: Plan, identity: Identity): string[] {
  if (identity.from.pascal === identity.to.pascal) return [];
  const pattern = new RegExp(`(?<![A-Za-z0-9_])${identity.from.pascal}(?=[A-Z]|\\b)`, "g");
  return byFile(plan, pattern, (file) => kindOf(file) !== "code");
}

/**
 * Renamed URLs on the internet: a domain or a repository with the new name in it may not be
 * yours. A cluster-local host (`http://payments-api:8000`, `*.svc`) is the service's own.
 */
export function renamedUrls(plan: Plan, identity: Identity): string[] {
  if (identity.from.kebab === identity.to.kebab) return [];
  const name = identity.to.kebab.replaceAll("-", "\\-");
  const pattern = new RegExp(`https?://[^\\s"'\`)<>]*?${name}[^\\s"'\`)<>/]*/?`, "g");
  const isClusterLocal = (url: string) => {
    const host = URL.canParse(url) ? new URL(url).hostname : "";
    return !host.includes(".") || /\.svc(?:\.cluster\.local)?$/.test(host);
  };
  const found = new Map<string, Set<string>>();
  for (const change of plan.changes()) {
    const text = change.removed ? undefined : plan.read(change.path);
    for (const match of text?.matchAll(pattern) ?? []) {
      if (isClusterLocal(match[0])) continue;
      const files = found.get(match[0]) ?? new Set<string>();
      files.add(change.path);
      found.set(match[0], files);
    }
  }
  return [...found].map(([url, files]) => `${url} (${[...files].join(", ")})`);
}

/** Directories named after the service: the command renames files, never directories. */
export function namedDirectories(plan: Plan, identity: Identity): string[] {
  const directories = new Set(
    plan.files().flatMap((file) => {
      const parts = path.posix.dirname(file).split("/");
      return parts.flatMap((_, i) => {
        const directory = parts.slice(0, i + 1).join("/");
        const base = parts[i] ?? "";
        return identity.renamer.occurrences(base).length > 0 ? [directory] : [];
      });
    }),
  );
  return [...directories];
}

/** A developer's own `.env` (git-ignored, never rewritten) that still says the old name. */
export function localEnvFile(root: string, identity: Identity): string | undefined {
  const file = path.join(root, ".env");
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const lines = [...new Set(identity.renamer.occurrences(text).map((o) => lineOf(text, o.index)))];
  return lines.length === 0 ? undefined : `.env:${lines.join(",")}`;
}
