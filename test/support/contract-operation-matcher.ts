// Finds the operation of the OpenAPI document a request was answered by, matching paths the way
// Express 5's router does: case-insensitively, a trailing slash allowed, a `{param}` one
// segment of the raw (still percent-encoded) path. Concrete paths win over templated ones, as
// OpenAPI asks.
import type { HttpMethod, OpenApiDocument, Operation } from "../../src/http/openapi/openapi-types";

export interface MatchedOperation {
  readonly template: string;
  readonly method: HttpMethod;
  readonly operation: Operation;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function templateMatcher(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : escapeRegExp(part)))
    .join("");
  return new RegExp(`^${pattern}/?$`, "i");
}

export class OperationMatcher {
  readonly #templates: readonly { template: string; matcher: RegExp }[];

  constructor(private readonly document: OpenApiDocument) {
    this.#templates = Object.keys(document.paths)
      .sort((a, b) => Number(a.includes("{")) - Number(b.includes("{")))
      .map((template) => ({ template, matcher: templateMatcher(template) }));
  }

  /** `path` as sent, query string included or not. HEAD is answered by the GET route. */
  match(method: string, path: string): MatchedOperation | undefined {
    const pathname = path.split("?", 1)[0] ?? "";
    const verb = method.toLowerCase() as HttpMethod;
    for (const { template, matcher } of this.#templates) {
      if (!matcher.test(pathname)) continue;
      const item = this.document.paths[template] ?? {};
      const operation = item[verb] ?? (verb === "head" ? item.get : undefined);
      // Express tries the next route when the method does not match, so keep looking.
      if (operation) return { template, method: verb, operation };
    }
    return undefined;
  }
}
