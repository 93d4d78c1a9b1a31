// Which renamer a file gets, by what kind of file its name says it is.
import path from "node:path";
import { renameCode } from "./code-renamer";
import type { IdentityRenamer } from "./identity-renamer";
import { renameJson } from "./json-renamer";
import { renameEnvFile, renameMakefile, renameText } from "./line-renamers";
import { renameYaml } from "./yaml-renamer";

export type FileKind = "yaml" | "json" | "code" | "makefile" | "env" | "text";

export const CODE_EXTENSION = /\.(?:[cm]?[jt]sx?)$/;

export function kindOf(file: string): FileKind {
  const base = path.posix.basename(file);
  if (/\.ya?ml$/.test(base)) return "yaml";
  if (base.endsWith(".json")) return "json";
  if (CODE_EXTENSION.test(base)) return "code";
  if (/^(?:GNUmakefile|[Mm]akefile)$/.test(base) || base.endsWith(".mk")) return "makefile";
  if (base === ".env" || base.startsWith(".env.") || base.endsWith(".env")) return "env";
  return "text";
}

export interface FileRename {
  readonly text: string;
  readonly count: number;
  readonly variables: readonly string[];
}

export function renameFile(file: string, source: string, renamer: IdentityRenamer): FileRename {
  switch (kindOf(file)) {
    case "yaml":
      return { ...renameYaml(source, renamer), variables: [] };
    case "json":
      return { ...renameJson(source, renamer), variables: [] };
    case "code":
      return { ...renameCode(file, source, renamer), variables: [] };
    case "makefile":
      return renameMakefile(source, renamer);
    case "env":
      return renameEnvFile(source, renamer);
    case "text":
      return renameText(source, renamer);
  }
}
