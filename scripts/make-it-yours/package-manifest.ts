// package.json's description. The template's says "template"; a service made from it is not
// one, and what it does only its team can say: the command writes a true placeholder and lists
// it for the team to finish. A description the team wrote is theirs and keeps its words.
import { npmLayout } from "./json-renamer";

export interface DescriptionChange {
  readonly text: string;
  readonly description: string;
}

export function describePackage(
  manifestText: string,
  from: string,
  to: string,
): DescriptionChange | undefined {
  const manifest = JSON.parse(manifestText) as { description?: unknown };
  const current = manifest.description;
  if (typeof current !== "string" || current.startsWith(`${to}:`)) return undefined;
  if (!/\btemplate\b/i.test(current)) return undefined;
  if (manifestText !== npmLayout(manifest)) return undefined;
  const description = `${to}: a twelve-factor TypeScript service, made from the ${from} template`;
  return { text: npmLayout({ ...manifest, description }), description };
}
