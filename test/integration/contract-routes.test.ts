// The document covers the app: a route added without documentation fails here, and so does an
// operation documented for a route that no longer exists.
import request from "supertest";
import { buildOpenApiDocument } from "../../src/http/openapi/openapi-document";
import { packageVersion } from "../../src/http/openapi/package-version";
import { operationsOf, routesOf } from "../support/contract-routes";
import { startTestStack, type TestStack } from "../support/test-stack";

const document = buildOpenApiDocument({ version: packageVersion() });

describe("the OpenAPI document and the app", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it("documents every route the app registers, and no route it does not", () => {
    expect(operationsOf(document)).toEqual(routesOf(stack.app));
  });

  it("serves the document at GET /openapi.json without a token", async () => {
    const response = await request(stack.app)
      .get("/openapi.json")
      .expect(200)
      .expect("content-type", /^application\/json/);
    expect(response.text).toBe(JSON.stringify(document));
  });
});
