// GET /openapi.json: the document, public like the probes. Built and serialised once, on the
// first request rather than at start (building it costs ~12 ms that startup need not pay):
// the answer is the same bytes for every request.
import { Router } from "express";
import { buildOpenApiDocument } from "./openapi-document";
import type { OpenApiDocument } from "./openapi-types";
import { packageVersion } from "./package-version";

export const OPENAPI_PATH = "/openapi.json";

export function openApiRoutes(
  document: () => OpenApiDocument = () => buildOpenApiDocument({ version: packageVersion() }),
): Router {
  let body: string | undefined;
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    body ??= JSON.stringify(document());
    res.type("application/json").send(body);
  });
  return router;
}
