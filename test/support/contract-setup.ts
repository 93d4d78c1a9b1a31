// setupFilesAfterEnv of the integration project: every answer a test receives through
// supertest from an app under contract (the service of test-stack.ts) is held to the OpenAPI
// document the service serves. test/integration/contract-hook.test.ts proves the hook is on.
import { buildOpenApiDocument } from "../../src/http/openapi/openapi-document";
import { packageVersion } from "../../src/http/openapi/package-version";
import { ContractChecker } from "./contract-check";
import { isUnderContract } from "./contract-registry";
import { checkSupertestAnswers } from "./contract-supertest-hook";

checkSupertestAnswers(
  new ContractChecker(buildOpenApiDocument({ version: packageVersion() })),
  isUnderContract,
);
