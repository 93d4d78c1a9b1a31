import type { Request } from "express";
import { idempotencyKeyOf } from "../../src/http/idempotency-key";
import { HttpProblem } from "../../src/http/problem";

/** Just enough of a request for the parser: its one header (or none). */
const requestWith = (key: string | undefined) =>
  ({
    get: (name: string) => (name.toLowerCase() === "idempotency-key" ? key : undefined),
  }) as unknown as Request;

function problemOf(key: string): HttpProblem {
  try {
    idempotencyKeyOf(requestWith(key));
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(key)} was accepted`);
}

describe("the Idempotency-Key header", () => {
  it("is optional", () => {
    expect(idempotencyKeyOf(requestWith(undefined))).toBeUndefined();
  });

  it.each([
    ["a UUID", "8e0f7d0c-5b7a-4b8e-9c7e-2f0d8b1a3c4d"],
    [
      "every printable ASCII character",
      String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 0x20 + i)),
    ],
    ["255 characters", "k".repeat(255)],
  ])("accepts %s unchanged", (_what, key) => {
    expect(idempotencyKeyOf(requestWith(key))).toBe(key);
  });

  it.each([
    ["an empty one", ""],
    ["256 characters", "k".repeat(256)],
  ])("answers 400 for %s, naming the length rule", (_what, key) => {
    expect(problemOf(key)).toMatchObject({
      status: 400,
      detail: "The Idempotency-Key header must be 1 to 255 characters",
    });
  });

  it.each([
    ["a tab (which HTTP allows inside a header value)", "key\twith-tab"],
    ["a NUL byte", "key\u0000"],
    ["DEL", "key\u007f"],
    ["a Latin-1 letter (obs-text)", "caf\u00e9"],
    ["a letter outside Latin-1", "\u043a\u043b\u044e\u0447"],
  ])("answers 400 for %s, naming the character rule", (_what, key) => {
    expect(problemOf(key)).toMatchObject({
      status: 400,
      detail: "The Idempotency-Key header may hold only printable ASCII characters (0x20 to 0x7E)",
    });
  });
});
