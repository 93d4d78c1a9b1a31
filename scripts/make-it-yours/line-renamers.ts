// Renamers for line-oriented files: Makefiles and env files, where the left side of an
// assignment is a variable's name (never renamed) and the right side its value; and plain text
// (Markdown, shell, Dockerfile, config files), where a name is renamed wherever it is a token.
import type { IdentityRenamer } from "./identity-renamer";

export interface LineRename {
  readonly text: string;
  readonly count: number;
  /** The variables whose value changed, for the summary (`IMAGE_REPO`, `AUTH_ISSUER`). */
  readonly variables: readonly string[];
}

function renameLines(source: string, renamer: IdentityRenamer, assignment: RegExp): LineRename {
  let count = 0;
  const variables: string[] = [];
  const lines = source.split("\n").map((line) => {
    const match = assignment.exec(line);
    if (match?.groups === undefined) {
      const renamed = renamer.rename(line);
      count += renamed.count;
      return renamed.text;
    }
    const { head = "", variable = "", value = "" } = match.groups;
    const renamed = renamer.rename(value);
    if (renamed.count > 0) variables.push(variable);
    count += renamed.count;
    return head + renamed.text;
  });
  return { text: lines.join("\n"), count, variables };
}

// `IMAGE_REPO ?= order-service`, `export X := ...`, `override Y = ...`; a recipe line starts
// with a tab and is never an assignment.
const MAKE_ASSIGNMENT =
  /^(?<head>(?:(?:export|override)\s+)*(?<variable>[A-Za-z_][A-Za-z0-9_.-]*)\s*(?:\?=|::=|:=|\+=|!=|=))(?<value>.*)$/;

export const renameMakefile = (source: string, renamer: IdentityRenamer) =>
  renameLines(source, renamer, MAKE_ASSIGNMENT);

// `AUTH_ISSUER=urn:...`, `export X=...`; a commented-out assignment is a comment and renamed
// as text, so `# OTEL_SERVICE_NAME=order-service` stays a true example.
const ENV_ASSIGNMENT =
  /^(?<head>\s*(?:export\s+)?(?<variable>[A-Za-z_][A-Za-z0-9_]*)=)(?<value>.*)$/;

export const renameEnvFile = (source: string, renamer: IdentityRenamer) =>
  renameLines(source, renamer, ENV_ASSIGNMENT);

export function renameText(source: string, renamer: IdentityRenamer): LineRename {
  const renamed = renamer.rename(source);
  return { ...renamed, variables: [] };
}
