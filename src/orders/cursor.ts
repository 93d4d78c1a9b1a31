// Keyset pagination cursor: the (created_at, id) of the last order on a page, opaque to
// clients (base64url JSON) so the key can change without breaking them.
import { z } from "zod";

export interface OrderCursor {
  /** created_at at full Postgres precision (microseconds), as Postgres printed it. */
  readonly createdAt: string;
  readonly id: string;
}

const cursorShape = z.strictObject({
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  i: z.uuid(),
});

export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id })).toString("base64url");
}

/** Returns undefined for anything that is not a cursor this service issued. */
export function decodeCursor(text: string): OrderCursor | undefined {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(text, "base64url").toString()));
    return parsed.success ? { createdAt: parsed.data.t, id: parsed.data.i } : undefined;
  } catch {
    return undefined;
  }
}
