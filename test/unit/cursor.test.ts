import { decodeCursor, encodeCursor } from "../../src/orders/cursor";

describe("pagination cursor", () => {
  const cursor = {
    createdAt: "2026-11-26T10:00:00.123456Z",
    id: "7d9f0c52-3a0e-4f7e-9a8b-6a4e9d1c2b3a",
  };

  it("round-trips the key of the last order, microseconds included", () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("is opaque and URL-safe", () => {
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ["not base64 json", "%%%"],
    ["json of the wrong shape", Buffer.from('{"t":1}').toString("base64url")],
    [
      "a non-uuid id",
      Buffer.from('{"t":"2026-11-26T10:00:00.123456Z","i":"x"}').toString("base64url"),
    ],
    [
      "a date with SQL in it",
      Buffer.from(`{"t":"2026'); DROP TABLE orders;--","i":"${cursor.id}"}`).toString("base64url"),
    ],
  ])("rejects %s", (_what, text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
