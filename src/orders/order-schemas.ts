// What the HTTP API accepts, as zod schemas (DESIGN.md "Domain").
import { z } from "zod";

/** Unknown members are named; anything that is not an object is called out as such. */
const objectError = (what: string) => (issue: { code: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys"
    ? `unknown member(s): ${issue.keys?.join(", ")}`
    : `${what} must be a JSON object`;

const identifier = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .max(255, { error: `${what} must be at most 255 characters` });

export const createOrderBody = z.strictObject(
  {
    customerId: identifier("customerId"),
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
    paymentToken: identifier("paymentToken"),
  },
  { error: objectError("the body") },
);

export const orderIdParams = z.object({
  id: z.uuid({ error: "id must be a UUID" }),
});

export const listOrdersQuery = z.strictObject(
  {
    customerId: identifier("customerId"),
    limit: z.coerce
      .number({ error: "limit must be a number" })
      .int({ error: "limit must be a whole number" })
      .min(1, { error: "limit must be between 1 and 100" })
      .max(100, { error: "limit must be between 1 and 100" })
      .default(20),
    cursor: z.string({ error: "cursor must be a single string" }).max(200).optional(),
  },
  { error: objectError("the query") },
);
