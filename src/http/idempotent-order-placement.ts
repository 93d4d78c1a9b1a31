// POST /orders under an Idempotency-Key (IETF httpapi draft, DESIGN.md "Domain"):
// same key + same body -> the first answer again; same key + other body -> 422;
// same key while the first is running -> 409; a stored-but-unpaid order (503) is retried,
// never duplicated.
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import {
  ClaimLostError,
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredResponse,
} from "../idempotency/idempotency-store";
import type { OrderRequest } from "../orders/order";
import type { OrderService } from "../orders/order-service";
import { HttpProblem, toProblemAnswer } from "./problem";

export const REPLAY_HEADER = "Idempotent-Replayed";

export function requestFingerprint(body: OrderRequest): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

export class IdempotentOrderPlacement {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly orders: OrderService,
    private readonly onReplay?: () => void,
  ) {}

  async handle(req: Request, res: Response, key: string, body: OrderRequest): Promise<void> {
    const claim = await this.store.claim(key, requestFingerprint(body));
    switch (claim.kind) {
      case "mismatch":
        throw new HttpProblem(
          422,
          "This Idempotency-Key was already used with a different request body",
          "idempotency-key-reused",
        );
      case "in-flight":
        throw new HttpProblem(
          409,
          "A request with this Idempotency-Key is still being processed; retry later",
          "idempotency-key-in-use",
        );
      case "replay":
        this.onReplay?.();
        send(res.set(REPLAY_HEADER, "true"), claim.response);
        return;
      case "claimed":
        send(res, await this.execute(req, claim.claim, body, claim.orderId));
    }
  }

  /** Runs the order placement under the claim and records its answer. */
  private async execute(
    req: Request,
    claim: IdempotencyClaim,
    body: OrderRequest,
    storedOrderId: string | undefined,
  ): Promise<StoredResponse & { headers?: Record<string, string> }> {
    try {
      const resumed = storedOrderId
        ? await this.orders.resumeOrder(storedOrderId, body.paymentToken)
        : undefined;
      const order = resumed ?? (await this.orders.placeOrder(body, claim));
      const response = { status: 201, body: order };
      await this.store.complete(claim, response);
      return response;
    } catch (error) {
      const answer = toProblemAnswer(error);
      // A 5xx is not final: the key is released, and if an order was already stored (still
      // pending after a 502 or 503), a retry resumes that same order.
      if (answer.problem.status >= 500 || error instanceof ClaimLostError) {
        await this.store.release(claim).catch(() => undefined);
        throw error;
      }
      const response = {
        status: answer.problem.status,
        body: { ...answer.problem, requestId: req.id },
      };
      await this.store.complete(claim, response);
      return { ...response, headers: answer.headers };
    }
  }
}

function send(res: Response, response: StoredResponse & { headers?: Record<string, string> }) {
  if (response.headers) res.set(response.headers);
  if (response.status === 201) {
    res.location(`/orders/${(response.body as { id: string }).id}`);
    res.status(201).json(response.body);
    return;
  }
  res.status(response.status).type("application/problem+json").json(response.body);
}
