// JSON Schema 2020-12 validation (the dialect of OpenAPI 3.1) of answers against the document's
// schemas, with ajv. The document's `#/components/schemas/X` references are rewritten to a
// schema ajv holds under its own id, so any schema of the document compiles as it stands.
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { JsonSchema, OpenApiDocument } from "../../src/http/openapi/openapi-types";

const COMPONENTS_ID = "openapi-components";
const COMPONENT_REF = /^#\/components\/schemas\//;

function withAjvRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAjvRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      key === "$ref" && typeof member === "string"
        ? member.replace(COMPONENT_REF, `${COMPONENTS_ID}#/$defs/`)
        : withAjvRefs(member),
    ]),
  );
}

export class SchemaValidator {
  readonly #ajv: Ajv2020;
  readonly #compiled = new WeakMap<object, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    // allErrors: a failure names every mismatch at once. Strict: a keyword ajv does not know
    // would otherwise be skipped silently, and the check would pass what it never looked at.
    this.#ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    // uuid, date-time and uri-reference are asserted, not merely annotated.
    addFormats(this.#ajv);
    this.#ajv.addSchema({ $id: COMPONENTS_ID, $defs: withAjvRefs(document.components.schemas) });
  }

  /** Why `value` (called `name` in the message) does not match `schema`, or undefined. */
  mismatch(schema: JsonSchema, value: unknown, name = "body"): string | undefined {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile(withAjvRefs(schema) as object);
      this.#compiled.set(schema, validate);
    }
    if (validate(value)) return undefined;
    return this.#ajv.errorsText(validate.errors, { dataVar: name, separator: "; " });
  }
}
