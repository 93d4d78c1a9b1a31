import { invalidFieldsOf } from "../../src/http/problem";
import { createOrderBody, listOrdersQuery, orderIdParams } from "../../src/orders/order-schemas";

const valid = {
  customerId: "c-1",
  items: [{ productId: "sku-mug", quantity: 2 }],
  paymentToken: "tok_ok",
};

function fieldsOf(value: unknown) {
  const result = createOrderBody.safeParse(value);
  return result.success ? [] : invalidFieldsOf(result.error, "body");
}

describe("order validation", () => {
  it("accepts a well-formed order", () => {
    expect(createOrderBody.parse(valid)).toEqual(valid);
  });

  it("lists every invalid field at once", () => {
    const fields = fieldsOf({
      customerId: 5,
      items: [{ productId: "", quantity: 0 }, { quantity: 1.5 }],
    });
    expect(fields.map((f) => f.field)).toEqual([
      "body.customerId",
      "body.items.0.productId",
      "body.items.0.quantity",
      "body.items.1.productId",
      "body.items.1.quantity",
      "body.paymentToken",
    ]);
  });

  it.each([
    [{ ...valid, items: [] }, "body.items", "items must hold at least 1 item"],
    [
      { ...valid, items: Array.from({ length: 51 }, () => ({ productId: "p", quantity: 1 })) },
      "body.items",
      "items must hold at most 50 items",
    ],
    [
      { ...valid, items: [{ productId: "p", quantity: 101 }] },
      "body.items.0.quantity",
      "quantity must be at most 100",
    ],
    [
      { ...valid, items: [{ productId: "p", quantity: "2" }] },
      "body.items.0.quantity",
      "quantity must be a number",
    ],
    [
      { ...valid, customerId: "x".repeat(256) },
      "body.customerId",
      "customerId must be at most 255 characters",
    ],
    [{ ...valid, customerId: "   " }, "body.customerId", "customerId must not be empty"],
    [{ ...valid, coupon: "FREE" }, "body", "unknown member(s): coupon"],
    [[valid], "body", "the body must be a JSON object"],
    [null, "body", "the body must be a JSON object"],
  ])("rejects %j at %s", (body, field, message) => {
    expect(fieldsOf(body)).toContainEqual({ field, message });
  });

  it("accepts only UUIDs as order ids", () => {
    expect(orderIdParams.safeParse({ id: "7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a" }).success).toBe(
      true,
    );
    expect(orderIdParams.safeParse({ id: "1 OR 1=1" }).success).toBe(false);
  });

  it("defaults limit to 20 and bounds it to 1..100", () => {
    expect(listOrdersQuery.parse({ customerId: "c" }).limit).toBe(20);
    expect(listOrdersQuery.safeParse({ customerId: "c", limit: "0" }).success).toBe(false);
    expect(listOrdersQuery.safeParse({ customerId: "c", limit: "101" }).success).toBe(false);
    expect(listOrdersQuery.safeParse({ customerId: "c", limit: "ten" }).success).toBe(false);
  });

  it("rejects a repeated query parameter instead of guessing which one was meant", () => {
    expect(listOrdersQuery.safeParse({ customerId: ["a", "b"] }).success).toBe(false);
  });
});
