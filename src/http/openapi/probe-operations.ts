// The probes (src/http/health-routes.ts) and the document itself: no token, no rate limit, and
// no client error to answer (they take no input); only an unexpected failure is a 500. Probes
// carry no X-Request-Id: they are answered before request ids are assigned, since they are
// never logged and the kubelet's polling should cost as little as it can.
import { noStoreHeader, requestIdHeader } from "./headers";
import type { JsonSchema, Operation, PathItem, Response } from "./openapi-types";
import { responseRef } from "./problem-responses";
import { schemaRef } from "./zod-json-schema";

const PUBLIC = [] as const;

function probeAnswer(description: string, schema: JsonSchema, value: unknown): Response {
  return {
    description,
    headers: { "Cache-Control": noStoreHeader },
    content: {
      "application/json": {
        schema: schema,
        examples: { answer: { summary: description, value } },
      },
    },
  };
}

function probe(
  operationId: string,
  summary: string,
  description: string,
  responses: Record<string, Response>,
): PathItem {
  const operation: Operation = {
    operationId,
    summary,
    description,
    tags: ["probes"],
    security: PUBLIC,
    responses: { ...responses, "500": responseRef("InternalServerError") },
  };
  return { get: operation };
}

export function probePaths(): Record<string, PathItem> {
  return {
    "/health/live": probe(
      "checkLiveness",
      "Liveness probe",
      "Looks at the process only: restarting a pod because its database is down would not " +
        "bring the database back.",
      { "200": probeAnswer("The process runs.", schemaRef("Liveness"), { status: "ok" }) },
    ),
    "/health/ready": probe(
      "checkReadiness",
      "Readiness probe",
      "503 when Postgres fails its check, and from the moment shutdown begins. Redis, the " +
        "breakers and the upstreams are reported but never decisive. Concurrent probes share " +
        "one check in flight.",
      {
        "200": probeAnswer("Send traffic here.", schemaRef("Readiness"), {
          status: "ok",
          checks: {
            postgres: { status: "up", durationMs: 2 },
            redis: { status: "up", durationMs: 1 },
          },
          breakers: { "product-service": "closed", "payment-service": "closed" },
        }),
        "503": probeAnswer("Do not send traffic here.", schemaRef("Readiness"), {
          status: "shutting-down",
        }),
      },
    ),
    "/health/startup": probe(
      "checkStartup",
      "Startup probe",
      "503 until migrations are verified and the pools are warm, then 200.",
      {
        "200": probeAnswer("Started.", schemaRef("Startup"), { status: "ok" }),
        "503": probeAnswer("Still starting.", schemaRef("Startup"), { status: "starting" }),
      },
    ),
    "/openapi.json": {
      get: {
        operationId: "getOpenApiDocument",
        summary: "This document",
        description:
          "The OpenAPI 3.1 document of this API, generated from the schemas the routes validate with.",
        tags: ["contract"],
        security: PUBLIC,
        responses: {
          "200": {
            description: "The document.",
            headers: { "X-Request-Id": requestIdHeader },
            content: { "application/json": { schema: schemaRef("OpenApiDocument") } },
          },
          "500": responseRef("InternalServerError"),
        },
      },
    },
  };
}
