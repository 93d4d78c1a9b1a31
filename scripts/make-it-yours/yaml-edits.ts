// Cutting whole items out of block-style YAML and replacing single scalars, by the source
// ranges the `yaml` Document API records, so that every line not edited stays byte for byte.
// An item is its own lines plus the comment lines right above it at its indentation (they
// describe it); comments at a shallower indentation belong to what follows.

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = "";
  let last = 0;
  for (const edit of sorted) {
    if (edit.start < last) {
      // An edit inside a cut item is already done by the cut.
      if (edit.end <= last) continue;
      throw new Error(`overlapping edits at offset ${edit.start}`);
    }
    result += source.slice(last, edit.start) + edit.text;
    last = edit.end;
  }
  return result + source.slice(last);
}

const lineStartOf = (source: string, offset: number) => source.lastIndexOf("\n", offset - 1) + 1;

function nextLineStart(source: string, offset: number): number {
  const newline = source.indexOf("\n", offset);
  return newline === -1 ? source.length : newline + 1;
}

const lineAt = (source: string, start: number) =>
  source.slice(start, nextLineStart(source, start)).replace(/\r?\n$/, "");
const indentation = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim().length === 0;
const isComment = (line: string) => line.trimStart().startsWith("#");

/**
 * The lines of a block mapping's pair (`offset` at its key) or of a block sequence's item
 * (`offset` at its value, after the `- `), with its own leading comments; undefined when the
 * item does not open its line (a flow collection, or a pair that shares its line with a dash).
 */
export function itemLines(
  source: string,
  offset: number,
  item: "pair" | "sequence item",
): { readonly start: number; readonly end: number } | undefined {
  const first = lineStartOf(source, offset);
  const opening = source.slice(first, offset);
  if (!(item === "pair" ? /^ *$/ : /^ *- +$/).test(opening)) return undefined;
  const column = indentation(lineAt(source, first));
  let { start } = leadingComments(source, offset);
  let end = nextLineStart(source, first);
  for (let at = end; at < source.length; at = nextLineStart(source, at)) {
    const line = lineAt(source, at);
    if (isBlank(line)) continue;
    if (indentation(line) <= column) break;
    end = nextLineStart(source, at);
  }
  // Cutting the item between two blank lines would leave both: take the one above with it.
  const before = start > 0 ? lineStartOf(source, start - 1) : -1;
  const after = end < source.length ? lineAt(source, end) : "";
  if (before >= 0 && isBlank(lineAt(source, before)) && (isBlank(after) || end === source.length)) {
    start = before;
  }
  return { start, end };
}

/** The comment lines right above the line at `offset`, at its indentation. */
export function leadingComments(
  source: string,
  offset: number,
): { readonly start: number; readonly end: number } {
  const first = lineStartOf(source, offset);
  const column = indentation(lineAt(source, first));
  let start = first;
  while (start > 0) {
    const above = lineStartOf(source, start - 1);
    const line = lineAt(source, above);
    if (!isComment(line) || indentation(line) !== column) break;
    start = above;
  }
  return { start, end: first };
}

/** The start of the line at `offset` and that line's indentation, to insert a line above it. */
export function lineOpening(
  source: string,
  offset: number,
): { readonly start: number; readonly indent: string } {
  const start = lineStartOf(source, offset);
  return { start, indent: " ".repeat(indentation(lineAt(source, start))) };
}
