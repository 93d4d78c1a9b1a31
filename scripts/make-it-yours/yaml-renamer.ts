// Renames names inside YAML scalars and comments only, never in keys' structure, anchors,
// tags or indentation: the `yaml` lexer cuts the source into tokens whose concatenation is
// the file byte for byte, so every comment, blank line and quote style survives. Then the
// Document API proves the edit: the new documents must equal the old ones with every string
// renamed, and nothing else.
import { isDeepStrictEqual } from "node:util";
import { CST, Lexer, parseAllDocuments } from "yaml";
import { UnparseableFileError } from "./edit-errors";
import type { IdentityRenamer } from "./identity-renamer";

// The lexer's markers are not source text: SCALAR announces a plain or block scalar's body,
// DOCUMENT and FLOW_END are bookkeeping.
const MARKERS = new Set<string>([CST.SCALAR, CST.DOCUMENT, CST.FLOW_END]);
const QUOTED = new Set(["single-quoted-scalar", "double-quoted-scalar"]);

export interface YamlRename {
  readonly text: string;
  readonly count: number;
}

export function renameYaml(source: string, renamer: IdentityRenamer): YamlRename {
  const before = documentsOf(source);
  let text = "";
  let count = 0;
  let scalarBody = false;
  for (const lexeme of new Lexer().lex(source)) {
    if (MARKERS.has(lexeme)) {
      scalarBody = lexeme === CST.SCALAR;
      continue;
    }
    const type = CST.tokenType(lexeme);
    if (scalarBody || (type !== null && QUOTED.has(type)) || type === "comment") {
      const renamed = renamer.rename(lexeme);
      text += renamed.text;
      count += renamed.count;
    } else {
      text += lexeme;
    }
    scalarBody = false;
  }
  if (count === 0) return { text: source, count };
  const expected = before.map((document) => renameDeep(document, renamer));
  if (!isDeepStrictEqual(documentsOf(text), expected)) {
    throw new Error("renaming changed the YAML structure, not only its names");
  }
  return { text, count };
}

function documentsOf(source: string): unknown[] {
  return parseAllDocuments(source).map((document) => {
    const error = document.errors[0];
    if (error !== undefined) throw new UnparseableFileError(error.message);
    return document.toJS({ maxAliasCount: -1 }) as unknown;
  });
}

/** `value` with every string in it, keys included, renamed. */
export function renameDeep(value: unknown, renamer: IdentityRenamer): unknown {
  if (typeof value === "string") return renamer.rename(value).text;
  if (Array.isArray(value)) return value.map((item) => renameDeep(item, renamer));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        renamer.rename(key).text,
        renameDeep(item, renamer),
      ]),
    );
  }
  return value;
}
