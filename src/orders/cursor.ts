// Keyset pagination cursor: the (created_at, id) of the last order on a page, opaque to
// clients (base64url JSON) so the key can change without breaking them.
import { z } from "zod";

export interface OrderCursor {
  /** created_at at full Postgres precision (microseconds), as Postgres printed it. */
  readonly createdAt: string;
  readonly id: string;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** Year, month (1..12), day, hour, minute, second. */
type Fields = [number, number, number, number, number, number];

/**
 * True only for an instant Postgres could have printed: a real calendar day and time of year
 * 1..9999. The shape alone lets through 2024-02-30 (Postgres refuses it, 22008, and the client
 * got a 500) and 24:00:00 or a leap second (Postgres quietly reads them as a later instant).
 */
function isRealTimestamp(text: string): boolean {
  // Stryker disable next-line OptionalChaining: the TypeError it would throw is caught by decodeCursor, which then answers undefined, as the shape check does
  const fields = TIMESTAMP.exec(text)?.slice(1, 7).map(Number);
  if (!fields) return false;
  const [year, month, day, hour, minute, second] = fields as Fields;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0..99 as 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  // Out-of-range fields roll over into the next unit; a real timestamp comes back unchanged.
  const back: Fields = [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  return year >= 1 && back.every((field, index) => field === fields[index]);
}

const cursorShape = z.strictObject({
  t: z.string().refine(isRealTimestamp),
  i: z.uuid(),
});

export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id })).toString("base64url");
}

/** Returns undefined for anything that is not a cursor this service issued. */
export function decodeCursor(text: string): OrderCursor | undefined {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(text, "base64url").toString()));
    if (!parsed.success) return undefined;
    const cursor = { createdAt: parsed.data.t, id: parsed.data.i };
    // base64url decoding skips what it cannot read; only the exact text we issue is ours.
    return encodeCursor(cursor) === text ? cursor : undefined;
  } catch {
    return undefined;
  }
}
