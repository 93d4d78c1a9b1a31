// The Idempotency-Key request header (IETF httpapi Idempotency-Key draft, DESIGN.md "Domain").
import type { Request } from "express";
import { HttpProblem } from "./problem";

/** The key, undefined when the header is absent; a 400 when it is not a usable key. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get("idempotency-key");
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw new HttpProblem(400, "The Idempotency-Key header must be 1 to 255 characters");
  }
  return key;
}
