// Renames names inside JSON strings (keys and values). A file in npm's own layout (two spaces,
// a final newline: package.json, package-lock.json) is parsed, renamed and written back with
// JSON.stringify; any other layout (prettier's, in openapi.json) keeps its every byte but the
// strings' contents, and the parsed result proves the edit touched nothing else.
import { isDeepStrictEqual } from "node:util";
import { UnparseableFileError } from "./edit-errors";
import type { IdentityRenamer } from "./identity-renamer";
import { renameDeep } from "./yaml-renamer";

export const npmLayout = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function renameJson(
  source: string,
  renamer: IdentityRenamer,
): { readonly text: string; readonly count: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new UnparseableFileError(error instanceof Error ? error.message : String(error));
  }
  let count = 0;
  // In valid JSON every `"` outside a string opens one, so this finds exactly the strings.
  const text = source.replace(/"(?:[^"\\]|\\.)*"/g, (literal) => {
    const renamed = renamer.rename(literal);
    count += renamed.count;
    return renamed.text;
  });
  if (count === 0) return { text: source, count };
  const expected = renameDeep(parsed, renamer);
  if (source === npmLayout(parsed)) return { text: npmLayout(expected), count };
  if (!isDeepStrictEqual(JSON.parse(text), expected)) {
    throw new Error("renaming changed the JSON structure, not only its strings");
  }
  return { text, count };
}
