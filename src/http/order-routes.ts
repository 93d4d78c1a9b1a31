import { Router } from "express";
import { decodeCursor, encodeCursor } from "../orders/cursor";
import { createOrderBody, listOrdersQuery, orderIdParams } from "../orders/order-schemas";
import type { OrderService } from "../orders/order-service";
import { idempotencyKeyOf } from "./idempotency-key";
import type { IdempotentOrderPlacement } from "./idempotent-order-placement";
import { answerForOrder, sendAnswer } from "./order-answers";
import { HttpProblem, ValidationProblem } from "./problem";
import { validate } from "./validate";

export interface OrderRoutesOptions {
  readonly orders: OrderService;
  readonly idempotentPlacement: IdempotentOrderPlacement;
}

export function orderRoutes({ orders, idempotentPlacement }: OrderRoutesOptions): Router {
  const router = Router();

  router.post("/orders", async (req, res) => {
    if (!req.is("application/json")) {
      throw new HttpProblem(415, "The request body must be application/json");
    }
    const key = idempotencyKeyOf(req);
    const body = validate(createOrderBody, req.body, "body");
    if (key !== undefined) {
      await idempotentPlacement.handle(req, res, key, body);
      return;
    }
    sendAnswer(res, answerForOrder(await orders.placeOrder(body), req.id));
  });

  router.get("/orders/:id", async (req, res) => {
    const { id } = validate(orderIdParams, req.params, "params");
    const order = await orders.findOrder(id);
    if (!order) throw new HttpProblem(404, `No order with id ${id}`);
    res.json(order);
  });

  router.get("/orders", async (req, res) => {
    const query = validate(listOrdersQuery, req.query, "query");
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) {
      throw new ValidationProblem([
        { field: "query.cursor", message: "cursor is not one this service issued" },
      ]);
    }
    const page = await orders.listOrders(query.customerId, query.limit, after);
    res.json({ orders: page.orders, nextCursor: page.last ? encodeCursor(page.last) : null });
  });

  return router;
}
