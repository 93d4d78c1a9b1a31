// The OpenAPI 3.1 document of the HTTP API, built from the zod schemas the routes validate with
// (requests) and the schemas of what they answer (order-answer-, problem- and
// probe-answer-schemas.ts). Served at GET /openapi.json and written to openapi.json by
// `npm run openapi`; the contract tests validate every answer the service gives against it.
import { z } from "zod";
import { requestIdParameter } from "./headers";
import type { JsonSchema, OpenApiDocument } from "./openapi-types";
import { orderAnswer, orderLineAnswer, orderPageAnswer } from "./order-answer-schemas";
import { orderPaths, orderRequestSchemas } from "./order-paths";
import { problemResponses, responseRef } from "./problem-responses";
import {
  invalidField,
  paymentDeclinedProblemAnswer,
  problemAnswer,
  rateLimitedProblemAnswer,
  unknownProductProblemAnswer,
  validationProblemAnswer,
} from "./problem-schemas";
import { livenessAnswer, readinessAnswer, startupAnswer } from "./probe-answer-schemas";
import { probePaths } from "./probe-operations";
import { componentSchemas } from "./zod-json-schema";

const openApiDocumentAnswer = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({}),
    paths: z.looseObject({}),
  })
  .meta({ description: "An OpenAPI 3.1 document." });

const answerSchemas = {
  Order: orderAnswer,
  OrderLine: orderLineAnswer,
  OrderPage: orderPageAnswer,
  Problem: problemAnswer,
  ValidationProblem: validationProblemAnswer,
  InvalidField: invalidField,
  PaymentDeclinedProblem: paymentDeclinedProblemAnswer,
  UnknownProductProblem: unknownProductProblemAnswer,
  RateLimitedProblem: rateLimitedProblemAnswer,
  Liveness: livenessAnswer,
  Readiness: readinessAnswer,
  Startup: startupAnswer,
  OpenApiDocument: openApiDocumentAnswer,
};

function schemas(): Record<string, JsonSchema> {
  const requests = componentSchemas(orderRequestSchemas, "input");
  const answers = componentSchemas(answerSchemas, "output");
  const shared = Object.keys(requests).filter((id) => id in answers);
  if (shared.length > 0) throw new Error(`Schema names used twice: ${shared.join(", ")}`);
  return Object.fromEntries(
    // By code unit, not localeCompare: the file must come out the same on every machine.
    Object.entries({ ...requests, ...answers }).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

export interface OpenApiDocumentOptions {
  /** info.version: the package's version. */
  readonly version: string;
}

export function buildOpenApiDocument({ version }: OpenApiDocumentOptions): OpenApiDocument {
  return {
    openapi: "3.1.1",
    info: {
      title: "Order service",
      version,
      summary: "Place, read and list orders; each order is charged once.",
      description:
        "Every error is `application/problem+json` (RFC 9457) with `type`, `title`, `status`, " +
        "`detail` and the `requestId`. `/orders` needs a bearer token (a JWT whose `sub` is " +
        "the customer) and is rate limited per caller; the probes and this document need " +
        "neither. Any method and path not listed here is answered with a 404 problem (see " +
        "`x-unmatched-requests`).",
      contact: {
        name: "order-service maintainers",
        url: "https://github.com/example/order-service",
      },
      license: { name: "MIT", identifier: "MIT" },
    },
    // Relative: wherever the document is served from (http://localhost:8000 under `npm run dev`).
    servers: [{ url: "/", description: "The host that serves this document" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "contract", description: "This document." },
      { name: "orders", description: "The caller's orders." },
      { name: "probes", description: "Kubernetes liveness, readiness and startup probes." },
    ],
    paths: { ...orderPaths(), ...probePaths() },
    components: {
      schemas: schemas(),
      responses: problemResponses,
      parameters: { RequestId: requestIdParameter },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A JWT from the identity provider at AUTH_JWKS_URL (RS256 or ES256; `iss` and " +
            "`aud` checked); its `sub` is the customer. In development the fake identity " +
            "provider signs one: `POST /token` on port 8003.",
        },
      },
    },
    "x-unmatched-requests": {
      description:
        "A method and path not listed under `paths` is a 404 problem. Under `/orders` " +
        "authentication and the rate limit come first (401, 429, 503); on every path but the " +
        "probes and this document a JSON body is parsed before the route is looked up (400, " +
        "413, 415); and a path that is not valid percent-encoding is a 400.",
      responses: {
        "400": responseRef("BadRequest"),
        "401": responseRef("Unauthorized"),
        "404": responseRef("NotFound"),
        "413": responseRef("ContentTooLarge"),
        "415": responseRef("UnsupportedMediaType"),
        "429": responseRef("TooManyRequests"),
        "500": responseRef("InternalServerError"),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  };
}

/** The document as served and as written to openapi.json (which prettier then lays out). */
export function serialiseOpenApiDocument(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
