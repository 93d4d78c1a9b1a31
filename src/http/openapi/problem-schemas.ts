// The problem+json bodies (RFC 9457) src/http/problem.ts and problem-responder.ts write, as zod
// schemas the document is generated from. Every answer carries all four standard members and
// the request id; a problem type adds only the members listed here.
import { z } from "zod";

const problemMembers = {
  type: z
    .string()
    .min(1)
    .meta({
      description:
        "A URI reference naming the problem type: `about:blank` for plain HTTP failures, " +
        "`https://problems.order-service.dev/<slug>` for the service's own (RFC 9457 section 3.1.1).",
      format: "uri-reference",
    }),
  title: z.string().min(1).meta({ description: "The HTTP reason phrase of the status." }),
  status: z.int().min(400).max(599),
  detail: z.string().min(1).meta({ description: "What went wrong with this request." }),
  requestId: z
    .string()
    .min(1)
    .meta({
      description:
        "The id of the request that produced the answer (its X-Request-Id). An idempotent " +
        "replay repeats the first answer, so this then names the first request.",
    }),
};

export const problemAnswer = z
  .object(problemMembers)
  .meta({ description: "A problem with no members beyond RFC 9457's and the request id." });

export const invalidField = z.object({
  field: z
    .string()
    .min(1)
    .meta({
      description: "Where: `body.`, `query.` or `params.` and the member's path.",
      examples: ["body.items.0.quantity"],
    }),
  message: z.string().min(1),
});

export const validationProblemAnswer = z
  .object({ ...problemMembers, status: z.literal(400), errors: z.array(invalidField).min(1) })
  .meta({ description: "The request's body, query or path is invalid: every invalid field." });

export const paymentDeclinedProblemAnswer = z
  .object({ ...problemMembers, status: z.literal(402), orderId: z.uuid() })
  .meta({
    description: "The charge was declined; the order is stored as `payment_failed`.",
  });

export const unknownProductProblemAnswer = z
  .object({
    ...problemMembers,
    status: z.literal(422),
    productIds: z.array(z.string().min(1)).min(1),
  })
  .meta({ description: "The product service knows none of these products." });

export const rateLimitedProblemAnswer = z
  .object({
    ...problemMembers,
    status: z.literal(429),
    "violated-policies": z.array(z.string().min(1)).min(1).meta({
      description:
        "The policies the request exceeded (draft-ietf-httpapi-ratelimit-headers, section 5.1).",
    }),
  })
  .meta({ description: "The caller used up its quota for the current window." });
