// What the HTTP API accepts, as zod schemas (DESIGN.md "Domain").
import { z } from "zod";

/** Unknown members are named; anything that is not an object is called out as such. */
const objectError = (what: string) => (issue: { code: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys"
    ? `unknown member(s): ${issue.keys?.join(", ")}`
    : `${what} must be a JSON object`;

// C0, DEL and C1 (Unicode category Cc): they forge log lines and break terminals, and Postgres
// refuses NUL in text outright, which would turn a bad request into a 500.
const CONTROL_CHARACTER = /\p{Cc}/u;
const NO_CONTROL_CHARACTER = /^\P{Cc}*$/u;
// Identifiers travel into upstream URL paths (/products/{id}), where "." and ".." are not names
// but path navigation, and anything outside this set would need escaping.
const IDENTIFIER_CHARACTERS = /^[A-Za-z0-9._:-]*$/;
const NOT_A_DOT_SEGMENT = /^(?!\.\.?$)/;

const noControlCharacters = (what: string) => `${what} must not hold control characters`;

/**
 * Never trimmed: " c-1" is not "c-1", and quietly turning one into the other would store or
 * look up a different customer or product than the one the client named.
 */
export const identifier = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty` })
    .max(128, { error: `${what} must be at most 128 characters` })
    .regex(IDENTIFIER_CHARACTERS, {
      // One rule, one message: a control character is named as such, not as a bad letter too.
      error: (issue) =>
        CONTROL_CHARACTER.test(String(issue.input))
          ? noControlCharacters(what)
          : `${what} may hold only letters, digits, ".", "_", ":" and "-"`,
    })
    .regex(NOT_A_DOT_SEGMENT, { error: `${what} must not be "." or ".." alone` });

/** Opaque to us (the payment service defines it), so kept exactly as sent. */
const paymentToken = z
  .string({ error: "paymentToken must be a string" })
  .min(1, { error: "paymentToken must not be empty" })
  .max(255, { error: "paymentToken must be at most 255 characters" })
  .regex(NO_CONTROL_CHARACTER, { error: noControlCharacters("paymentToken") });

export const createOrderBody = z.strictObject(
  {
    /** Optional: the caller is the customer; when sent it must name the caller (403 otherwise). */
    customerId: identifier("customerId").optional(),
    items: z
      .array(
        z.strictObject(
          {
            productId: identifier("productId"),
            quantity: z
              .number({ error: "quantity must be a number" })
              .int({ error: "quantity must be a whole number" })
              .min(1, { error: "quantity must be at least 1" })
              .max(100, { error: "quantity must be at most 100" }),
          },
          { error: objectError("an item") },
        ),
        { error: "items must be an array" },
      )
      .min(1, { error: "items must hold at least 1 item" })
      .max(50, { error: "items must hold at most 50 items" }),
    paymentToken,
  },
  { error: objectError("the body") },
);

export const orderIdParams = z.object({
  id: z.uuid({ error: "id must be a UUID" }),
});

export const listOrdersQuery = z.strictObject(
  {
    customerId: identifier("customerId").optional(),
    limit: z.coerce
      .number({ error: "limit must be a number" })
      .int({ error: "limit must be a whole number" })
      .min(1, { error: "limit must be between 1 and 100" })
      .max(100, { error: "limit must be between 1 and 100" })
      .default(20),
    cursor: z
      .string({ error: "cursor must be a single string" })
      .max(200, { error: "cursor must be at most 200 characters" })
      .regex(NO_CONTROL_CHARACTER, { error: noControlCharacters("cursor") })
      .optional(),
  },
  { error: objectError("the query") },
);
