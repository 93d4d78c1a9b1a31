// zod -> JSON Schema 2020-12 (the dialect of OpenAPI 3.1) with zod's own z.toJSONSchema, so the
// document describes exactly what the routes validate with. Requests are converted as their
// input type (what a client sends: `limit` before coercion and its default), answers as their
// output type.
import { z } from "zod";
import type { JsonSchema, Parameter } from "./openapi-types";

export type SchemaIo = "input" | "output";

const COMPONENT_SCHEMAS = "#/components/schemas/";

export function schemaRef(id: string): JsonSchema {
  return { $ref: COMPONENT_SCHEMAS + id };
}

/**
 * `$schema` is the document's dialect already, and zod's `$id` (the ref URI) would re-base every
 * relative `$ref` inside a component.
 */
function asComponent(schema: JsonSchema): JsonSchema {
  const component = { ...schema };
  delete component.$schema;
  delete component.$id;
  return component;
}

/** Named schemas -> `components.schemas`, each referring to the others by `$ref`. */
export function componentSchemas(
  named: Readonly<Record<string, z.ZodType>>,
  io: SchemaIo,
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: "draft-2020-12",
    uri: (id) => COMPONENT_SCHEMAS + id,
  });
  // Anything zod shares without a name would land in a "__shared" entry: name it instead.
  if ("__shared" in schemas) {
    throw new Error("A schema is reused without a name: add it to the named component schemas");
  }
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, asComponent(schema)]),
  );
}

/** One parameter per member of an object schema (path or query), as a client sends it. */
export function parametersOf(
  schema: z.ZodObject,
  location: "path" | "query",
  descriptions: Readonly<Record<string, string>>,
  examples: Readonly<Record<string, unknown>> = {},
): Parameter[] {
  const { properties = {}, required = [] } = z.toJSONSchema(schema, { io: "input" });
  return Object.entries(properties).map(([name, member]) => {
    const description = descriptions[name];
    if (description === undefined) {
      throw new Error(`The ${location} parameter ${name} needs a description`);
    }
    return {
      name,
      in: location,
      description,
      required: required.includes(name),
      schema: member as JsonSchema,
      ...(name in examples ? { example: examples[name] } : {}),
    };
  });
}
