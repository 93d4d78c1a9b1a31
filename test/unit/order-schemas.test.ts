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

  describe("identifiers (customerId, productId)", () => {
    const CHARACTERS = 'customerId may hold only letters, digits, ".", "_", ":" and "-"';
    const CONTROL = "customerId must not hold control characters";
    const DOTS = 'customerId must not be "." or ".." alone';

    it.each([
      ["one character", "c"],
      ["letters, digits and every allowed punctuation", "ACME:eu.1_2-x"],
      ["three dots (only . and .. are path segments)", "..."],
      ["128 characters", "x".repeat(128)],
    ])("accepts %s", (_what, customerId) => {
      expect(fieldsOf({ ...valid, customerId })).toEqual([]);
    });

    it.each([
      ["an empty one", "", "customerId must not be empty"],
      ["129 characters", "x".repeat(129), "customerId must be at most 128 characters"],
      ['"."', ".", DOTS],
      ['".."', "..", DOTS],
      ["a slash", "a/b", CHARACTERS],
      ["a percent sign", "a%2Fb", CHARACTERS],
      ["a space", "a b", CHARACTERS],
      ["a letter outside ASCII", "caf\u00e9", CHARACTERS],
      ["a NUL byte", "c-1\u0000", CONTROL],
      ["a newline", "c-1\n", CONTROL],
      ["a C1 control character", "c-1\u0085", CONTROL],
    ])("rejects %s, saying which rule it breaks", (_what, customerId, message) => {
      expect(fieldsOf({ ...valid, customerId })).toEqual([{ field: "body.customerId", message }]);
    });

    it("does not trim an identifier into a different one", () => {
      expect(fieldsOf({ ...valid, customerId: " c-1 " })).toEqual([
        { field: "body.customerId", message: CHARACTERS },
      ]);
      expect(fieldsOf({ ...valid, customerId: "   " })).toEqual([
        { field: "body.customerId", message: CHARACTERS },
      ]);
    });

    it.each([
      ['"."', "."],
      ['".."', ".."],
      ["a path", "../admin"],
      ["a space", "sku mug"],
      ["a NUL byte", "sku-mug\u0000"],
      ["129 characters", "x".repeat(129)],
    ])("rejects a productId with %s before the product service is asked", (_what, productId) => {
      const fields = fieldsOf({ ...valid, items: [{ productId, quantity: 1 }] });
      expect(fields.map((f) => f.field)).toEqual(["body.items.0.productId"]);
      expect(fields[0]?.message).toMatch(/^productId /);
    });

    it("names each rule an identifier breaks", () => {
      expect(fieldsOf({ ...valid, customerId: "\u0000".repeat(129) })).toEqual([
        { field: "body.customerId", message: "customerId must be at most 128 characters" },
        { field: "body.customerId", message: CONTROL },
      ]);
    });

    it("applies the same rule to the customerId query parameter", () => {
      const fields = (customerId: string) => {
        const result = listOrdersQuery.safeParse({ customerId });
        return result.success ? [] : invalidFieldsOf(result.error, "query");
      };
      expect(fields("paging-customer")).toEqual([]);
      expect(fields("..")).toEqual([{ field: "query.customerId", message: DOTS }]);
      expect(fields("c\u0000")).toEqual([{ field: "query.customerId", message: CONTROL }]);
    });
  });

  describe("paymentToken", () => {
    it.each([
      ["a plain token", "tok_visa"],
      ["spaces", " tok with spaces "],
      ["letters and emoji outside ASCII", "t\u00f6k\u{1f4b3}"],
      ["255 characters", "t".repeat(255)],
    ])("accepts %s as an opaque token, unchanged", (_what, paymentToken) => {
      expect(createOrderBody.parse({ ...valid, paymentToken }).paymentToken).toBe(paymentToken);
    });

    it.each([
      ["an empty one", "", "paymentToken must not be empty"],
      ["256 characters", "t".repeat(256), "paymentToken must be at most 255 characters"],
      ["a NUL byte", "tok\u0000", "paymentToken must not hold control characters"],
      ["a newline", "tok\n", "paymentToken must not hold control characters"],
      ["DEL", "tok\u007f", "paymentToken must not hold control characters"],
      ["C1 U+0080", "tok\u0080", "paymentToken must not hold control characters"],
      ["C1 U+009F", "tok\u009f", "paymentToken must not hold control characters"],
    ])("rejects %s", (_what, paymentToken, message) => {
      expect(fieldsOf({ ...valid, paymentToken })).toEqual([
        { field: "body.paymentToken", message },
      ]);
    });
  });

  it("rejects a cursor holding a NUL byte before it is decoded", () => {
    const result = listOrdersQuery.safeParse({ customerId: "c", cursor: "abc\u0000" });
    expect(result.success ? [] : invalidFieldsOf(result.error, "query")).toEqual([
      { field: "query.cursor", message: "cursor must not hold control characters" },
    ]);
  });
});
