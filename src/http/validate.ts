import type { z } from "zod";
import { invalidFieldsOf, ValidationProblem } from "./problem";

/** Parses one part of a request, or throws a 400 that lists every invalid field. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: "body" | "query" | "params",
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationProblem(invalidFieldsOf(result.error, location));
  return result.data;
}
