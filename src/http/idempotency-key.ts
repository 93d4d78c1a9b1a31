// The Idempotency-Key request header (IETF httpapi Idempotency-Key draft, DESIGN.md "Domain").
import type { Request } from "express";
import { HttpProblem } from "./problem";

// HTTP lets a header value carry tabs and Latin-1 bytes; a key does not need them, and each one
// would be stored and compared in Postgres and written into logs.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The key, undefined when the header is absent; a 400 when it is not a usable key. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get("idempotency-key");
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw new HttpProblem(400, "The Idempotency-Key header must be 1 to 255 characters");
  }
  if (!PRINTABLE_ASCII.test(key)) {
    throw new HttpProblem(
      400,
      "The Idempotency-Key header may hold only printable ASCII characters (0x20 to 0x7E)",
    );
  }
  return key;
}
