// How a placed order is answered (DESIGN.md "Domain"), the same with or without an
// Idempotency-Key: 201 paid; 202 stored but not yet charged (it will be settled, so the answer
// must not invite a retry that would place a second order); 402 declined.
import type { Request, Response } from "express";
import { PaymentDeclinedError } from "../errors";
import type { StoredResponse } from "../idempotency/idempotency-store";
import type { Order } from "../orders/order";
import { toProblemAnswer } from "./problem";

export function answerForOrder(order: Order, requestId: Request["id"]): StoredResponse {
  switch (order.status) {
    case "paid":
      return { status: 201, body: order };
    case "pending":
      return { status: 202, body: order };
    case "payment_failed":
      return {
        status: 402,
        body: { ...toProblemAnswer(new PaymentDeclinedError(order.id)).problem, requestId },
      };
  }
}

/** Sends an answer from answerForOrder() or a stored problem: orders as JSON, problems as such. */
export function sendAnswer(
  res: Response,
  answer: StoredResponse,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.status(answer.status).set(headers);
  if (answer.status === 201 || answer.status === 202) {
    res.location(`/orders/${(answer.body as Order).id}`).json(answer.body);
    return;
  }
  res.type("application/problem+json").json(answer.body);
}
