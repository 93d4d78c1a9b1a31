// Renames names in TypeScript and JavaScript string literals, template text, regular
// expressions and comments: the places code holds an identity (`application_name`, the
// tracer's and the telemetry's service name, the issuer a test expects). Identifiers and
// module specifiers are code and never change: `OrderService` and "../orders/order-service"
// name the orders domain, not the service.
import ts from "typescript";
import type { IdentityRenamer } from "./identity-renamer";

const LITERALS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
]);

function isModuleSpecifier(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) {
    return parent.moduleSpecifier === node;
  }
  if (ts.isExternalModuleReference(parent)) return true;
  // import("./module").Type
  if (ts.isLiteralTypeNode(parent) && ts.isImportTypeNode(parent.parent)) return true;
  if (ts.isCallExpression(parent) && parent.arguments[0] === node) {
    const callee = parent.expression;
    // require(), import() and jest.mock()/requireActual()/... take a module path.
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isIdentifier(callee)) return callee.text === "require";
    return ts.isPropertyAccessExpression(callee) && callee.expression.getText() === "jest";
  }
  return false;
}

type Span = readonly [start: number, end: number];

function editableSpans(file: ts.SourceFile): Span[] {
  const spans = new Map<number, number>();
  const text = file.text;
  const addComments = (ranges: readonly ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) spans.set(range.pos, range.end);
  };
  const visit = (node: ts.Node) => {
    addComments(ts.getLeadingCommentRanges(text, node.pos));
    addComments(ts.getTrailingCommentRanges(text, node.end));
    if (LITERALS.has(node.kind)) {
      if (!isModuleSpecifier(node)) spans.set(node.getStart(file), node.end);
      return;
    }
    // getChildren, not forEachChild: tokens such as a closing brace carry comments too.
    for (const child of node.getChildren(file)) visit(child);
  };
  visit(file);
  return [...spans].sort(([a], [b]) => a - b);
}

function scriptKind(path: string): ts.ScriptKind {
  if (/\.[cm]?jsx?$/.test(path)) return path.endsWith("x") ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
  return path.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

export function renameCode(
  path: string,
  source: string,
  renamer: IdentityRenamer,
): { readonly text: string; readonly count: number } {
  if (renamer.occurrences(source).length === 0) return { text: source, count: 0 };
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, scriptKind(path));
  let text = "";
  let count = 0;
  let last = 0;
  for (const [start, end] of editableSpans(file)) {
    if (start < last) continue; // a comment seen from two neighbouring nodes
    const renamed = renamer.rename(source.slice(start, end));
    text += source.slice(last, start) + renamed.text;
    count += renamed.count;
    last = end;
  }
  return { text: text + source.slice(last), count };
}
