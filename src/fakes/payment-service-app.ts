import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import express, { type Express } from "express";
import { z } from "zod";
import type { FaultInjector } from "./fault-injection";
import { TraceJournal } from "./trace-journal";

const chargeRequest = z.strictObject({
  orderId: z.string().min(1),
  amountCents: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  token: z.string().min(1),
});

interface StoredCharge {
  readonly request: z.infer<typeof chargeRequest>;
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Tokens that the fake always declines, so a decline can be produced on purpose. */
export const DECLINED_TOKEN = "tok_decline";

/**
 * A payment gateway that follows DESIGN.md's payment API contract: bearer key, and the same
 * Idempotency-Key always returns the first answer instead of charging again.
 */
export function createPaymentServiceApp(apiKey: string, faults: FaultInjector): Express {
  const charges = new Map<string, StoredCharge>();
  /** Charge requests per Idempotency-Key that reached the ledger (the first and its replays). */
  const requests = new Map<string, number>();
  const app = express();
  const journal = new TraceJournal();
  app.use(faults.controlRoutes(), journal.controlRoutes());
  app.get("/_charges", (_req, res) => {
    res.json({
      charges: [...charges.entries()].map(([key, charge]) => ({
        idempotencyKey: key,
        orderId: charge.request.orderId,
        status: charge.status,
        amountCents: charge.request.amountCents,
        currency: charge.request.currency,
        requests: requests.get(key) ?? 1,
      })),
    });
  });
  // Recorded before faults apply: a request that is then failed on purpose still arrived.
  app.use(journal.middleware(), faults.middleware());
  app.post("/charges", express.json(), (req, res) => {
    if (req.get("authorization") !== `Bearer ${apiKey}`) {
      res.status(401).json({ error: "invalid API key" });
      return;
    }
    const key = req.get("idempotency-key");
    if (!key || key.length > 255) {
      res.status(400).json({ error: "Idempotency-Key header (1..255 chars) is required" });
      return;
    }
    const parsed = chargeRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: z.prettifyError(parsed.error) });
      return;
    }
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const previous = charges.get(key);
    if (previous) {
      if (!isDeepStrictEqual(previous.request, parsed.data)) {
        res.status(422).json({ error: "Idempotency-Key reused with a different request" });
        return;
      }
      res.status(previous.status).set("Idempotent-Replayed", "true").json(previous.body);
      return;
    }
    const declined = parsed.data.token === DECLINED_TOKEN || faults.shouldDecline();
    const charge: StoredCharge = declined
      ? { request: parsed.data, status: 402, body: { status: "declined" } }
      : {
          request: parsed.data,
          status: 201,
          body: { id: `ch_${randomUUID()}`, status: "succeeded" },
        };
    charges.set(key, charge);
    res.status(charge.status).json(charge.body);
  });
  return app;
}
