// What every answer to hostile input must look like (DESIGN.md "Domain"): errors are
// problem+json with type, title, status and detail; no stack trace or driver message leaks;
// no client input causes a 5xx.
import type { Response } from "supertest";

// Shapes of V8 stack frames and of Postgres and driver messages.
const LEAKS: readonly RegExp[] = [
  /\n\s*at \S/,
  /\bat .*:\d+:\d+/,
  /\bat (?:async )?\S+ \((?:\/|file:|node:)/,
  /invalid byte sequence/i,
  /violates/i,
  /syntax/i,
  /out of range/i,
  /value too long/i,
  /unsupported Unicode/i,
  /\bnode_modules\b/,
  /\b(?:TypeError|RangeError|URIError|SyntaxError|ReferenceError)\b/,
];

/** Every string in a value (keys included): what an answer may legitimately echo back. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, member]) => [key, ...stringsOf(member)]);
  }
  return [];
}

/**
 * The answer's text without what the client sent: a product id or an unknown member named
 * in an error is the client's own text, not a leak, however it reads.
 */
function withoutEchoes(text: string, echoes: readonly string[]): string {
  return echoes
    .filter((echo) => echo.length > 0)
    .map((echo) => JSON.stringify(echo).slice(1, -1))
    .sort((a, b) => b.length - a.length)
    .reduce((remaining, echo) => remaining.split(echo).join(""), text);
}

/** Why this answer is not a safe one, or undefined when it is. */
export function unsafeAnswerReason(
  response: Response,
  echoes: readonly string[] = [],
): string | undefined {
  if (response.status >= 500) return `answered ${response.status}`;
  const text = withoutEchoes(response.text ?? "", echoes);
  const leak = LEAKS.find((pattern) => pattern.test(text));
  if (leak) return `the body matches ${leak}`;
  if (response.status < 400) return undefined;
  const type = String(response.headers["content-type"]);
  if (!/^application\/problem\+json\b/.test(type)) return `an error answered as ${type}`;
  const body = response.body as Record<string, unknown>;
  for (const member of ["type", "title", "detail"]) {
    if (typeof body[member] !== "string" || body[member] === "") {
      return `the problem has no "${member}"`;
    }
  }
  if (body.status !== response.status) return `the problem's status is ${String(body.status)}`;
  return undefined;
}

/** Throws with the answer in the message, so a failure shows what came back. */
export function expectSafeAnswer(response: Response, echoes: readonly string[] = []): void {
  const reason = unsafeAnswerReason(response, echoes);
  if (reason !== undefined) {
    throw new Error(`unsafe answer: ${reason}\n${response.status} ${response.text.slice(0, 600)}`);
  }
}
