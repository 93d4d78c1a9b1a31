// Holds one answer of the service to the OpenAPI document: the status must be documented for
// the operation (or, for a method and path the document does not list, by
// x-unmatched-requests), every required header present, every documented header of the
// documented shape, and the body of a documented media type that validates against its schema.
import type { OpenApiDocument, Reference, Response } from "../../src/http/openapi/openapi-types";
import { OperationMatcher } from "./contract-operation-matcher";
import { SchemaValidator } from "./contract-schema-validator";

/** One request and its answer, as they went over the wire. */
export interface Exchange {
  readonly method: string;
  /** As sent: raw, query string included. */
  readonly path: string;
  readonly status: number;
  /** Lower-case names, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const RESPONSES = "#/components/responses/";
const isJson = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json$/.test(mediaType);

export class ContractChecker {
  readonly #matcher: OperationMatcher;
  readonly #validator: SchemaValidator;

  constructor(private readonly document: OpenApiDocument) {
    this.#matcher = new OperationMatcher(document);
    this.#validator = new SchemaValidator(document);
  }

  /** Why the answer breaks the contract (one message naming all of it), or undefined. */
  violation(exchange: Exchange): string | undefined {
    const method = exchange.method.toUpperCase();
    const matched = this.#matcher.match(method, exchange.path);
    const where = matched
      ? `${method} ${matched.template}`
      : `${method} ${exchange.path.split("?", 1)[0]} (no such operation: held to x-unmatched-requests)`;
    const responses = matched
      ? matched.operation.responses
      : this.document["x-unmatched-requests"].responses;
    const documented = responses[String(exchange.status)];
    if (!documented) {
      return (
        `OpenAPI contract: ${where} answered ${exchange.status}, a status the document does ` +
        `not list for it (it lists ${Object.keys(responses).join(", ")})`
      );
    }
    const problems = this.#mismatches(this.#resolve(documented), exchange, method === "HEAD");
    if (problems.length === 0) return undefined;
    return `OpenAPI contract: ${where} answered ${exchange.status}, not as documented:\n  - ${problems.join("\n  - ")}`;
  }

  #resolve(response: Response | Reference): Response {
    if (!("$ref" in response)) return response;
    const name = response.$ref.startsWith(RESPONSES) ? response.$ref.slice(RESPONSES.length) : "";
    const target = this.document.components.responses[name];
    if (!target) throw new Error(`The document refers to a missing response: ${response.$ref}`);
    return target;
  }

  #mismatches(response: Response, exchange: Exchange, head: boolean): string[] {
    return [
      ...this.#headerMismatches(response, exchange),
      ...this.#bodyMismatches(response, exchange, head),
    ];
  }

  #headerMismatches(response: Response, exchange: Exchange): string[] {
    return Object.entries(response.headers ?? {}).flatMap(([name, header]) => {
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        return header.required ? [`the required header ${name} is missing`] : [];
      }
      const text = Array.isArray(value) ? value.join(", ") : value;
      const mismatch = this.#validator.mismatch(header.schema, text, name);
      return mismatch ? [`the header ${JSON.stringify(text)}: ${mismatch}`] : [];
    });
  }

  #bodyMismatches(response: Response, exchange: Exchange, head: boolean): string[] {
    const contentType = exchange.headers["content-type"];
    const mediaType = String(contentType ?? "")
      .split(";", 1)[0]!
      .trim()
      .toLowerCase();
    if (!response.content) {
      return exchange.body === ""
        ? []
        : [`a body came (${mediaType}), the document describes none`];
    }
    const documented = Object.keys(response.content);
    const content = response.content[mediaType];
    if (!content) {
      return [
        `the content type ${String(contentType)} is not documented (${documented.join(", ")} is)`,
      ];
    }
    // A HEAD answer has the headers of the GET one, without its body.
    if (head) return [];
    // Every answer documented so far is JSON; a new media type needs a check of its own here.
    if (!isJson(mediaType)) return [`this check cannot validate a ${mediaType} body yet`];
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      return [`the body is not JSON: ${exchange.body.slice(0, 200)}`];
    }
    const mismatch = this.#validator.mismatch(content.schema, body);
    return mismatch ? [`the ${mediaType} body does not match its schema: ${mismatch}`] : [];
  }
}
