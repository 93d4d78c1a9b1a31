// A reader for Fluent Bit's classic config format: [SECTION]s of indented `Key Value` lines,
// `#` comments and `@INCLUDE file`. Strict about layout, as Fluent Bit is.
export interface Section {
  name: string; // SERVICE, INPUT, FILTER, OUTPUT, PARSER
  /** Keys lower-cased: Fluent Bit's keys are case-insensitive. */
  entries: Record<string, string>;
}

export interface ClassicConfig {
  sections: Section[];
  includes: string[];
}

export function parseClassicConfig(text: string, file: string): ClassicConfig {
  const sections: Section[] = [];
  const includes: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    const where = `${file}:${i + 1}`;
    if (line.trim() === "" || line.trim().startsWith("#")) return;
    const header = /^\[([A-Z]+)\]$/.exec(line);
    const include = /^@INCLUDE\s+(\S+)$/i.exec(line);
    if (header) sections.push({ name: header[1] as string, entries: {} });
    else if (include) includes.push(include[1] as string);
    else {
      const entry = /^\s+(\S+)\s+(.+)$/.exec(line);
      const section = sections[sections.length - 1];
      if (!entry || !section)
        throw new Error(`${where}: not a section, an @INCLUDE or an indented entry`);
      const key = (entry[1] as string).toLowerCase();
      if (key in section.entries)
        throw new Error(`${where}: ${key} set twice in [${section.name}]`);
      section.entries[key] = entry[2] as string;
    }
  });
  return { sections, includes };
}

/** The config as Fluent Bit sees it: `files` maps each mounted path to its content. */
export function loadWithIncludes(entry: string, files: Record<string, string>): Section[] {
  const text = files[entry];
  if (text === undefined) throw new Error(`${entry} is not in the mounted config`);
  const config = parseClassicConfig(text, entry);
  return [...config.sections, ...config.includes.flatMap((path) => loadWithIncludes(path, files))];
}

export const sectionsNamed = (sections: Section[], name: string, plugin?: string): Section[] =>
  sections.filter(
    (s) => s.name === name && (plugin === undefined || s.entries.name?.toLowerCase() === plugin),
  );

/** `${VAR}` references, which Fluent Bit fills from its environment. */
export const envReferences = (sections: Section[]): string[] => [
  ...new Set(
    sections.flatMap((s) =>
      Object.values(s.entries).flatMap((v) =>
        [...v.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string),
      ),
    ),
  ),
];

/** Fluent Bit's tail `Path` wildcard (`*`) as a RegExp. */
export const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
