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

  const withTime = (t: string) =>
    Buffer.from(JSON.stringify({ t, i: cursor.id })).toString("base64url");

  it.each([
    ["a month 13 and day 45", "2024-13-45T10:00:00.000000Z"],
    ["an hour 99", "2024-01-01T99:00:00.000000Z"],
    ["a minute 60", "2024-01-01T10:60:00.000000Z"],
    ["midnight written as 24:00 (Postgres reads the next day)", "2024-01-01T24:00:00.000000Z"],
    ["a leap second (Postgres rolls it into the next minute)", "2024-06-30T23:59:60.000000Z"],
    ["the 30th of February", "2024-02-30T10:00:00.000000Z"],
    ["the 29th of February in a common year", "2023-02-29T10:00:00.000000Z"],
    ["the 31st of April", "2024-04-31T10:00:00.000000Z"],
    ["year 0, which Postgres does not have", "0000-01-01T00:00:00.000000Z"],
    ["month 0", "2024-00-10T10:00:00.000000Z"],
    ["text before the timestamp", "x2024-01-01T10:00:00.000000Z"],
    ["text after the timestamp", "2024-01-01T10:00:00.000000Z; DROP TABLE orders"],
    ["a five-digit year", "12024-01-01T10:00:00.000000Z"],
    ["milliseconds instead of microseconds", "2024-01-01T10:00:00.000Z"],
    ["an offset instead of Z", "2024-01-01T10:00:00.000000+01:00"],
  ])("rejects a tampered cursor with %s", (_what, t) => {
    expect(decodeCursor(withTime(t))).toBeUndefined();
  });

  it.each([
    ["the 29th of February in a leap year", "2024-02-29T23:59:59.999999Z"],
    ["the first instant of a year", "2025-01-01T00:00:00.000000Z"],
    ["the last instant of a year", "2025-12-31T23:59:59.999999Z"],
    ["the year 1, the first Postgres has", "0001-01-01T00:00:00.000000Z"],
    ["the year 9999", "9999-12-31T23:59:59.999999Z"],
  ])("accepts %s", (_what, createdAt) => {
    expect(decodeCursor(encodeCursor({ createdAt, id: cursor.id }))).toEqual({
      createdAt,
      id: cursor.id,
    });
  });

  it("rejects a cursor this service would not have written that way", () => {
    const json = JSON.stringify({ t: cursor.createdAt, i: cursor.id });
    expect(decodeCursor(Buffer.from(` ${json}`).toString("base64url"))).toBeUndefined();
    expect(decodeCursor(`${encodeCursor(cursor)}=`)).toBeUndefined();
  });
});
