// The document restates the Idempotency-Key rule that src/http/idempotency-key.ts checks with
// code; this holds the two together, so neither can change alone.
import type { Request } from "express";
import fc from "fast-check";
import { IDEMPOTENCY_KEY_SCHEMA } from "../../src/http/openapi/headers";
import { buildOpenApiDocument } from "../../src/http/openapi/openapi-document";
import { idempotencyKeyOf } from "../../src/http/idempotency-key";
import { HttpProblem } from "../../src/http/problem";
import { SchemaValidator } from "../support/contract-schema-validator";

const validator = new SchemaValidator(buildOpenApiDocument({ version: "0.0.0-test" }));

/** What idempotencyKeyOf() makes of a header value: the key, or refused with a 400. */
function serviceAccepts(value: string): boolean {
  const req = { get: (name: string) => (name === "idempotency-key" ? value : undefined) };
  try {
    return idempotencyKeyOf(req as unknown as Request) === value;
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 400) return false;
    throw error;
  }
}

const candidateKey = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("", " ", "x".repeat(255), "x".repeat(256), "caf\u00e9", "key\twith-tab", "~"),
);

describe("the Idempotency-Key header in the document", () => {
  it("accepts exactly the keys the service accepts", () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(candidateKey, (key) => {
        const accepted = serviceAccepts(key);
        seen[accepted ? "accepted" : "refused"] += 1;
        expect(validator.mismatch(IDEMPOTENCY_KEY_SCHEMA, key) === undefined).toBe(accepted);
      }),
      { numRuns: 1000 },
    );
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(50);
  });
});
