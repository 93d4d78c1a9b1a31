// POST /orders under an Idempotency-Key (IETF httpapi draft, DESIGN.md "Domain"):
// same key + same body -> the first answer again (201, 202 and 402 included); same key + other
// body -> 422; same key while the first is running -> 409. A 5xx stores nothing final: the key
// is released, and an order a failed attempt did store is resumed, never placed twice.
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import {
  ClaimLostError,
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredResponse,
} from "../idempotency/idempotency-store";
import type { Logger } from "../infra/logger";
import type { OrderRequest } from "../orders/order";
import type { OrderService } from "../orders/order-service";
import { answerForOrder, sendAnswer } from "./order-answers";
import { HttpProblem, toProblemAnswer } from "./problem";

export const REPLAY_HEADER = "Idempotent-Replayed";

export function requestFingerprint(body: OrderRequest): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

export interface IdempotentOrderPlacementOptions {
  readonly store: IdempotencyStore;
  readonly orders: OrderService;
  readonly logger: Logger;
  readonly onReplay?: () => void;
}

type Answer = StoredResponse & { readonly headers?: Readonly<Record<string, string>> };

export class IdempotentOrderPlacement {
  constructor(private readonly options: IdempotentOrderPlacementOptions) {}

  async handle(req: Request, res: Response, key: string, body: OrderRequest): Promise<void> {
    const claim = await this.options.store.claim(body.customerId, key, requestFingerprint(body));
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
        this.options.onReplay?.();
        sendAnswer(res, claim.response, { [REPLAY_HEADER]: "true" });
        return;
      case "claimed": {
        const answer = await this.execute(req, claim.claim, body, claim.orderId);
        sendAnswer(res, answer, answer.headers);
      }
    }
  }

  /** Runs the order placement under the claim and records its answer. */
  private async execute(
    req: Request,
    claim: IdempotencyClaim,
    body: OrderRequest,
    storedOrderId: string | undefined,
  ): Promise<Answer> {
    const { store, orders } = this.options;
    let answer: Answer;
    try {
      const resumed = storedOrderId
        ? await orders.resumeOrder(storedOrderId, body.paymentToken)
        : undefined;
      answer = answerForOrder(resumed ?? (await orders.placeOrder(body, claim)), req.id);
    } catch (error) {
      const { problem, headers } = toProblemAnswer(error);
      // A 5xx is not final (and is only answered when no order was stored): the key is
      // released, so a retry starts afresh, or resumes an order an earlier attempt stored.
      if (problem.status >= 500 || error instanceof ClaimLostError) {
        await store.release(claim).catch(() => undefined);
        throw error;
      }
      answer = { status: problem.status, body: { ...problem, requestId: req.id }, headers };
    }
    await this.record(claim, answer);
    return answer;
  }

  /**
   * The answer is sent even when it cannot be recorded (the database failed after the order
   * was stored): the claim then expires, and a retry resumes the order it links to.
   */
  private async record(claim: IdempotencyClaim, answer: StoredResponse): Promise<void> {
    try {
      await this.options.store.complete(claim, { status: answer.status, body: answer.body });
    } catch (error) {
      this.options.logger.warn(
        { err: error, status: answer.status },
        "Idempotency-Key answer not recorded; a retry will resume the order",
      );
    }
  }
}
