// What the service is called now, in every spelling the repository uses, and what each
// becomes: found in the files themselves, so the command renames a clone it already renamed.
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { CODE_EXTENSION, kindOf } from "./file-kinds";
import {
  IdentityRenamer,
  type Renaming,
  NAME_CHARACTERS,
  WORD_CHARACTERS,
} from "./identity-renamer";
import type { Plan } from "./plan";
import { EXIT_CODES, Refusal } from "./refusal";
import { type NameForms, nameForms, serviceNameProblems } from "./service-name";

export interface Identity {
  readonly from: NameForms;
  readonly to: NameForms;
  /** Prometheus alert names that start with the service's name: `OrderServiceUnavailable`. */
  readonly alertNames: readonly Renaming[];
  /** The database `npm run dev` creates (.env.example's DATABASE_URL), when it is the service's. */
  readonly devDatabase: Renaming | undefined;
  /** Paths of code modules that hold the name (`orders/order-service`): code, never renamed. */
  readonly codeModules: readonly string[];
  readonly renamer: IdentityRenamer;
}

/** The package name is the one place the current name is written on its own. */
export function currentName(plan: Plan): string {
  const manifest = plan.read("package.json");
  if (manifest === undefined) {
    throw new Refusal("no package.json at the repository root", EXIT_CODES.cannotRename);
  }
  const name: unknown = (JSON.parse(manifest) as { name?: unknown }).name;
  if (typeof name !== "string" || serviceNameProblems(name).length > 0) {
    throw new Refusal(
      `package.json's name ${JSON.stringify(name)} is not a service name this command can ` +
        "rename from (a kebab-case DNS label, 3 to 40 characters): set it by hand first",
      EXIT_CODES.cannotRename,
    );
  }
  return name;
}

interface RuleFile {
  groups?: { rules?: { alert?: unknown }[] }[];
}

function alertNames(plan: Plan, from: NameForms, to: NameForms): Renaming[] {
  const names = new Set<string>();
  for (const file of plan.files()) {
    const text = kindOf(file) === "yaml" ? plan.read(file) : undefined;
    if (text === undefined || !text.includes(from.pascal)) continue;
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) continue;
      const groups = (document.toJS({ maxAliasCount: -1 }) as RuleFile | null)?.groups;
      if (!Array.isArray(groups)) continue;
      for (const rule of groups.flatMap((group) => group.rules ?? [])) {
        // `OrderServiceUnavailable`, not `OrderServicesDown`: the name, then a new word.
        if (
          typeof rule.alert === "string" &&
          new RegExp(`^${from.pascal}(?:[A-Z]|$)`).test(rule.alert)
        ) {
          names.add(rule.alert);
        }
      }
    }
  }
  return [...names].map((name) => ({
    from: name,
    to: to.pascal + name.slice(from.pascal.length),
    wordCharacters: WORD_CHARACTERS,
  }));
}

// The database `npm run dev` creates on the developer's own Postgres. Two services made from
// this template on one machine would otherwise share it, and one's migrations would run against
// the other's tables: on that shared server the name is the service's identity. Renamed only
// when it is a development database (`..._dev`), never a word such as `orders` that the domain
// uses everywhere else.
function devDatabase(plan: Plan, to: NameForms): Renaming | undefined {
  const example = plan.read(".env.example");
  const url = example?.match(/^DATABASE_URL=(\S+)$/m)?.[1];
  if (url === undefined || !URL.canParse(url)) return undefined;
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[a-z][a-z0-9_]*_dev$/.test(database)) return undefined;
  return { from: database, to: `${to.snake}_dev`, wordCharacters: WORD_CHARACTERS };
}

function codeModules(plan: Plan, from: NameForms): string[] {
  return plan.files().flatMap((file) => {
    const extension = CODE_EXTENSION.exec(file)?.[0];
    if (extension === undefined) return [];
    const stem = path.posix.basename(file, extension);
    if (!stem.includes(from.kebab) && !stem.includes(from.snake)) return [];
    const directory = path.posix.basename(path.posix.dirname(file));
    // Its import path, its file name, and the file it compiles to.
    return [`${directory}/${stem}`, `${stem}${extension}`, `${stem}.js`];
  });
}

export function discoverIdentity(plan: Plan, newName: string): Identity {
  const from = nameForms(currentName(plan));
  const to = nameForms(newName);
  const alerts = alertNames(plan, from, to);
  const database = devDatabase(plan, to);
  const modules = codeModules(plan, from);
  const renamings: Renaming[] = [
    { from: from.kebab, to: to.kebab, wordCharacters: NAME_CHARACTERS },
    { from: from.snake, to: to.snake, wordCharacters: NAME_CHARACTERS },
    ...alerts,
    ...(database === undefined ? [] : [database]),
  ];
  return {
    from,
    to,
    alertNames: alerts,
    devDatabase: database,
    codeModules: modules,
    renamer: new IdentityRenamer(renamings, modules),
  };
}
