import { Router } from "express";
import type { OrderRequest } from "../orders/order";
import { decodeCursor, encodeCursor } from "../orders/cursor";
import { createOrderBody, listOrdersQuery, orderIdParams } from "../orders/order-schemas";
import type { OrderService } from "../orders/order-service";
import { callerOf } from "./authenticate";
import { idempotencyKeyOf } from "./idempotency-key";
import type { IdempotentOrderPlacement } from "./idempotent-order-placement";
import { answerForOrder, sendAnswer } from "./order-answers";
import { HttpProblem, ValidationProblem } from "./problem";
import { validate } from "./validate";

export interface OrderRoutesOptions {
  readonly orders: OrderService;
  readonly idempotentPlacement: IdempotentOrderPlacement;
}

function notTheCaller(where: string): HttpProblem {
  return new HttpProblem(
    403,
    `${where} must be the authenticated caller's own id (or left out)`,
    "not-the-caller",
  );
}

/** Every route needs requireCaller() in front: the caller decides whose orders are touched. */
export function orderRoutes({ orders, idempotentPlacement }: OrderRoutesOptions): Router {
  const router = Router();

  router.post("/orders", async (req, res) => {
    if (!req.is("application/json")) {
      throw new HttpProblem(415, "The request body must be application/json");
    }
    const { customerId } = callerOf(res);
    const key = idempotencyKeyOf(req);
    const body = validate(createOrderBody, req.body, "body");
    if (body.customerId !== undefined && body.customerId !== customerId) {
      throw notTheCaller("body.customerId");
    }
    // Built member by member: the Idempotency-Key fingerprint must not depend on whether, or
    // where, the client put customerId in its body.
    const order: OrderRequest = { customerId, items: body.items, paymentToken: body.paymentToken };
    if (key !== undefined) {
      await idempotentPlacement.handle(req, res, key, order);
      return;
    }
    sendAnswer(res, answerForOrder(await orders.placeOrder(order), req.id));
  });

  router.get("/orders/:id", async (req, res) => {
    const { customerId } = callerOf(res);
    const { id } = validate(orderIdParams, req.params, "params");
    // Another customer's order is "not found" too: a 403 would confirm that it exists.
    const order = await orders.findCustomerOrder(customerId, id);
    if (!order) throw new HttpProblem(404, `No order with id ${id}`);
    res.json(order);
  });

  router.get("/orders", async (req, res) => {
    const { customerId } = callerOf(res);
    const query = validate(listOrdersQuery, req.query, "query");
    if (query.customerId !== undefined && query.customerId !== customerId) {
      throw notTheCaller("query.customerId");
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) {
      throw new ValidationProblem([
        { field: "query.cursor", message: "cursor is not one this service issued" },
      ]);
    }
    const page = await orders.listOrders(customerId, query.limit, after);
    res.json({ orders: page.orders, nextCursor: page.last ? encodeCursor(page.last) : null });
  });

  return router;
}
