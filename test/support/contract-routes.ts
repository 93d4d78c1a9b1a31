// The routes an Express 5 app registers, walked from its router (mounted routers included), and
// the operations an OpenAPI document lists, both as "METHOD /path/{param}" to compare.
import type { Express } from "express";
import { HTTP_METHODS, type OpenApiDocument } from "../../src/http/openapi/openapi-types";

interface RouterLayer {
  readonly rawPath?: unknown;
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: readonly RouterLayer[] };
}

const asTemplate = (path: string) => path.replace(/:(\w+)/g, "{$1}");

function pathOf(value: unknown): string {
  // Arrays, regular expressions and wildcards cannot be written as one OpenAPI path: extend
  // this walk (and the document) if the app ever mounts one.
  if (typeof value !== "string" || /[*?()[\]]/.test(value)) {
    throw new Error(`A route or mount path this walk cannot read: ${String(value)}`);
  }
  return value === "/" ? "" : value;
}

function routesUnder(prefix: string, stack: readonly RouterLayer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = asTemplate(prefix + pathOf(layer.route.path));
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
    }
    const nested = layer.handle?.stack;
    return nested ? routesUnder(prefix + pathOf(layer.rawPath), nested) : [];
  });
}

/** "METHOD /path/{param}" for every route handler the app has, sorted. */
export function routesOf(app: Express): string[] {
  const { stack } = (app as unknown as { router: { stack: readonly RouterLayer[] } }).router;
  return routesUnder("", stack).sort();
}

/** "METHOD /path/{param}" for every operation of the document, sorted. */
export function operationsOf(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      HTTP_METHODS.filter((method) => item[method]).map(
        (method) => `${method.toUpperCase()} ${path}`,
      ),
    )
    .sort();
}
