// The OpenAPI document: up to date in the repo, generated from the routes' own schemas, with
// every status each operation can answer and examples that match their schemas.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { z } from "zod";
import { buildOpenApiDocument } from "../../src/http/openapi/openapi-document";
import type { JsonSchema, MediaType, Parameter } from "../../src/http/openapi/openapi-types";
import { packageVersion } from "../../src/http/openapi/package-version";
import { createOrderBody, listOrdersQuery, orderIdParams } from "../../src/orders/order-schemas";
import { SchemaValidator } from "../support/contract-schema-validator";
import { orderBody } from "../support/hostile-arbitraries";

const ROOT = join(__dirname, "..", "..");
const document = buildOpenApiDocument({ version: packageVersion() });
const validator = new SchemaValidator(document);

const statusesOf = (path: string, method: "get" | "post") =>
  Object.keys(document.paths[path]?.[method]?.responses ?? {}).map(Number);

/** As a client sends it; `$schema` is the document's dialect, not repeated per schema. */
const asSent = (schema: z.ZodType) => {
  const converted: JsonSchema = { ...z.toJSONSchema(schema, { io: "input" }) };
  delete converted.$schema;
  return converted;
};

/** Every schema in the document, with where it is, for checks that must see all of them. */
function* schemasIn(value: unknown, at = "#"): Generator<[string, JsonSchema]> {
  if (value === null || typeof value !== "object") return;
  for (const [key, member] of Object.entries(value)) {
    if (key === "schema" || key === "items" || key === "additionalProperties") {
      if (member !== null && typeof member === "object")
        yield [`${at}/${key}`, member as JsonSchema];
    }
    if (at === "#/components" && key === "schemas") {
      for (const [name, schema] of Object.entries(member as object)) {
        yield [`${at}/schemas/${name}`, schema as JsonSchema];
      }
    }
    if (key === "properties" && member !== null && typeof member === "object") {
      for (const [name, schema] of Object.entries(member as object)) {
        yield [`${at}/properties/${name}`, schema as JsonSchema];
      }
    }
    yield* schemasIn(member, `${at}/${key}`);
  }
}

describe("the OpenAPI document", () => {
  it("matches the committed openapi.json", () => {
    const committed = JSON.parse(readFileSync(join(ROOT, "openapi.json"), "utf8"));
    // Key order counts: the file is meant to diff cleanly from one run to the next.
    if (JSON.stringify(committed) !== JSON.stringify(document)) {
      throw new Error("openapi.json is stale: run npm run openapi (and commit the result)");
    }
  });

  it("is OpenAPI 3.1 at the version of package.json", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info.version).toBe(version);
  });

  it.each<[string, "get" | "post", number[]]>([
    ["/orders", "post", [201, 202, 400, 401, 402, 403, 409, 413, 415, 422, 429, 500, 503]],
    ["/orders", "get", [200, 400, 401, 403, 413, 415, 429, 500, 503]],
    ["/orders/{id}", "get", [200, 400, 401, 404, 413, 415, 429, 500, 503]],
    ["/health/live", "get", [200, 500]],
    ["/health/ready", "get", [200, 500, 503]],
    ["/health/startup", "get", [200, 500, 503]],
    ["/openapi.json", "get", [200, 500]],
  ])("lists every status %s %s answers", (path, method, statuses) => {
    expect(statusesOf(path, method)).toEqual(statuses);
  });

  it("holds a request the document does not list to the 404 problem and what the middleware answers first", () => {
    expect(Object.keys(document["x-unmatched-requests"].responses).map(Number)).toEqual([
      400, 401, 404, 413, 415, 429, 500, 503,
    ]);
  });

  it("asks for a bearer token everywhere but on the probes and the document itself", () => {
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    const publicPaths = Object.entries(document.paths)
      .filter(([, item]) => item.get?.security?.length === 0)
      .map(([path]) => path);
    expect(publicPaths).toEqual([
      "/health/live",
      "/health/ready",
      "/health/startup",
      "/openapi.json",
    ]);
  });

  describe("describes requests with the schemas the routes validate with", () => {
    it("POST /orders: the body", () => {
      expect(document.components.schemas.CreateOrderRequest).toEqual(asSent(createOrderBody));
    });

    it("GET /orders: the query, one parameter per member", () => {
      const parameters = (document.paths["/orders"]?.get?.parameters ?? []) as Parameter[];
      const query = parameters.filter((parameter) => parameter.in === "query");
      expect(Object.fromEntries(query.map((p) => [p.name, p.schema]))).toEqual(
        asSent(listOrdersQuery).properties,
      );
      expect(query.find((p) => p.name === "limit")?.schema).toMatchObject({ default: 20 });
    });

    it("GET /orders/{id}: the path", () => {
      const parameters = (document.paths["/orders/{id}"]?.get?.parameters ?? []) as Parameter[];
      const id = parameters.find((parameter) => parameter.in === "path");
      expect(id).toMatchObject({ name: "id", required: true });
      expect(id?.schema).toEqual(asSent(orderIdParams).properties?.id);
    });

    it("accepts exactly the POST /orders bodies the route accepts", () => {
      const schema = document.components.schemas.CreateOrderRequest!;
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(orderBody, (body) => {
          const routeAccepts = createOrderBody.safeParse(body).success;
          seen[routeAccepts ? "accepted" : "refused"] += 1;
          expect(validator.mismatch(schema, body) === undefined).toBe(routeAccepts);
        }),
        { numRuns: 500 },
      );
      // Both sides were tried: a generator that only made bad bodies would prove little.
      expect(seen.accepted).toBeGreaterThan(20);
      expect(seen.refused).toBeGreaterThan(20);
    });
  });

  it("has examples that match their schemas", () => {
    const mediaTypes: [string, MediaType][] = [];
    const collect = (value: unknown, at: string): void => {
      if (value === null || typeof value !== "object") return;
      for (const [key, member] of Object.entries(value)) {
        if (key === "content") {
          for (const [type, media] of Object.entries(member as object)) {
            mediaTypes.push([`${at}/content/${type}`, media as MediaType]);
          }
        } else collect(member, `${at}/${key}`);
      }
    };
    collect(document, "#");
    const examples = mediaTypes.flatMap(([at, media]) =>
      Object.entries(media.examples ?? {}).map(([name, example]) => ({
        at: `${at}/${name}`,
        media,
        example,
      })),
    );
    expect(examples.length).toBeGreaterThan(20);
    const mismatches = examples
      .map(({ at, media, example }) => [at, validator.mismatch(media.schema, example.value)])
      .filter(([, mismatch]) => mismatch !== undefined);
    expect(mismatches).toEqual([]);
  });

  it("says of every free-form string whether it may be empty (a minLength)", () => {
    const strings = [...schemasIn(document)].filter(([, schema]) => schema.type === "string");
    expect(strings.length).toBeGreaterThan(30);
    const saysNothing = strings
      .filter(([, schema]) =>
        ["minLength", "enum", "const", "format", "pattern"].every(
          (keyword) => !(keyword in schema),
        ),
      )
      .map(([at]) => at);
    expect(saysNothing).toEqual([]);
  });
});
