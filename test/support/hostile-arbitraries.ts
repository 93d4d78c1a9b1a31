// fast-check generators of what a careless or hostile client can send: near-valid values
// (so requests get past the first check and reach Postgres and the upstreams) mixed with
// garbage, control characters, NUL, lone surrogates, odd Unicode and huge strings.
import { validateHeaderValue } from "node:http";
import fc from "fast-check";
import { SEEDED_PRODUCTS } from "../../src/fakes/catalogue";

const catalogueIds = SEEDED_PRODUCTS.map((product) => product.id);

/**
 * Who sends the generated requests (their bearer token's `sub`). Bodies and queries name this
 * customer most often, since naming anyone else is refused (403) before Postgres is reached.
 */
export const HOSTILE_CALLER = "property-customer";

/** C0, DEL and C1: none may be in a stored string; NUL, the one Postgres refuses, most often. */
const controlCharacter = fc
  .oneof(
    { weight: 3, arbitrary: fc.constant(0x00) },
    fc.integer({ min: 0x01, max: 0x1f }),
    fc.constant(0x7f),
    fc.integer({ min: 0x80, max: 0x9f }),
  )
  .map((code) => String.fromCharCode(code));

/** A value that would be valid but for one control character somewhere in it. */
const withControlCharacter = fc
  .tuple(
    fc.oneof(fc.constantFrom(...catalogueIds, "tok_visa"), fc.stringMatching(/^[a-z0-9-]{0,8}$/)),
    controlCharacter,
    fc.stringMatching(/^[a-z0-9-]{0,4}$/),
  )
  .map((parts) => parts.join(""));

/** Strings short enough for a URL; hostileString adds the ones only a body can carry. */
export const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    ".",
    "..",
    "../..",
    "/",
    "%2e%2e",
    "\u0000",
    "\u007f",
    "\ud800",
    "\udfff\ud800",
    "\u200b",
    "\ufeff",
    "x".repeat(128),
    "x".repeat(129),
    "x".repeat(300),
    "tok_visa",
    "tok_decline",
    "'; DROP TABLE orders;--",
    "null",
    ...catalogueIds,
  ),
  { weight: 4, arbitrary: withControlCharacter },
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,130}$/),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: controlCharacter, minLength: 1, maxLength: 5 }),
);

// Built once: generating 100 kB strings would take most of a run.
const HUGE_STRINGS = ["x".repeat(101 * 1024), "\u0000".repeat(20_000), "\u{1f4a9}".repeat(30_000)];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: shortHostileString },
  fc.constantFrom(...HUGE_STRINGS),
);

/** Any JSON value, with hostile strings where strings go. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, true, false, null),
  fc.jsonValue({ maxDepth: 2 }),
);

const plainIdentifier = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);

// Left out now and then: the caller is the customer, so an order need not name it.
const validOrder = fc.record(
  {
    customerId: fc.oneof({ weight: 4, arbitrary: fc.constant(HOSTILE_CALLER) }, plainIdentifier),
    items: fc.array(
      fc.record({
        productId: fc.constantFrom(...catalogueIds),
        quantity: fc.integer({ min: 1, max: 100 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    paymentToken: fc.oneof(fc.constantFrom("tok_visa", "tok_decline"), fc.string({ minLength: 1 })),
  },
  { requiredKeys: ["items", "paymentToken"] },
);

type Order = Record<string, unknown>;

const firstItemOf = (order: Order) =>
  Array.isArray(order.items) && typeof order.items[0] === "object" && order.items[0] !== null
    ? (order.items[0] as Order)
    : undefined;

/** One change that may make a valid order invalid (or leave it valid but odd). */
const mutation: fc.Arbitrary<(order: Order) => void> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom("customerId", "paymentToken", "productId"), hostileString)
      .map(([member, value]) => (order: Order) => {
        const owner = member === "productId" ? firstItemOf(order) : order;
        if (owner) owner[member] = value;
      }),
  },
  fc
    .tuple(fc.constantFrom("customerId", "items", "paymentToken"), hostileValue)
    .map(([member, value]) => (order: Order) => {
      order[member] = value;
    }),
  fc.constantFrom("customerId", "items", "paymentToken").map((member) => (order: Order) => {
    delete order[member];
  }),
  fc.tuple(hostileString, hostileValue).map(([member, value]) => (order: Order) => {
    order[member] = value;
  }),
  fc
    .tuple(fc.constantFrom("productId", "quantity", "extra"), hostileValue)
    .map(([member, value]) => (order: Order) => {
      const item = firstItemOf(order);
      if (item) item[member] = value;
    }),
  fc.array(hostileValue, { maxLength: 3 }).map((extra) => (order: Order) => {
    if (Array.isArray(order.items)) order.items.push(...extra);
  }),
);

/** An order body: mostly a valid one with a change or two, sometimes any JSON value at all. */
export const orderBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(validOrder, fc.array(mutation, { maxLength: 2 }))
      .map(([valid, changes]) => {
        const order: Order = structuredClone(valid);
        for (const change of changes) change(order);
        return order;
      }),
  },
  hostileValue,
);

/** What goes on the wire: JSON of a body, broken JSON, garbage text or bytes. */
export const bodyPayload: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 12, arbitrary: orderBody.map((body) => JSON.stringify(body) ?? "") },
  fc.json({ maxDepth: 3 }),
  fc.tuple(orderBody, fc.nat()).map(([body, cut]) => {
    const text = JSON.stringify(body) ?? "";
    return text.slice(0, cut % (text.length + 1));
  }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    '{"customerId":"c","items":[{"productId":"sku-mug","quantity":1}],"paymentToken":"tok\\u0000"}',
    '{"a":1,"a":2}',
    "{}",
    "[]",
    '""',
    "null",
    "\ufeff{}",
  ),
);

/** Header values the HTTP client can send at all: tab, printable ASCII and obs-text. */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({
      unit: fc
        .oneof(
          { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
          fc.constant(0x09),
          fc.integer({ min: 0x80, max: 0xff }),
        )
        .map((code) => String.fromCharCode(code)),
      maxLength: 40,
    }),
    fc.constantFrom("k".repeat(255), "k".repeat(256), "r".repeat(4096), "\t", "a\tb"),
    fc.uuid(),
  )
  .filter((value) => {
    try {
      validateHeaderValue("x-probe", value);
      return true;
    } catch {
      return false;
    }
  });

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON; charset=UTF-8",
      "application/json; charset=utf-16",
      "application/json; charset=latin1",
      "application/json; charset=nope",
      "application/json; charset",
      "application/json;;;",
      'application/json; charset="utf-8',
      "application/problem+json",
      "application/merge-patch+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "*/*",
      "json",
      "",
    ),
  },
  fc.constant(undefined),
  headerValue,
);

const hex = "0123456789ABCDEFabcdef";

/** One piece of a URL path or query: a plain character, an escape, or a broken escape. */
const urlPiece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  },
  fc.integer({ min: 0, max: 0xff }).map((byte) => `%${byte.toString(16).padStart(2, "0")}`),
  fc.constantFrom("%", "%%", "%z", "%zz", "%0", "%C0%AF", "%E0%A4%A", "%FF", "%u0041", "%00"),
  fc.tuple(fc.constantFrom(...hex), fc.constantFrom(...hex)).map(([a, b]) => `%${a}${b}`),
  fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
);

/** What follows `/orders/`: UUIDs, near-UUIDs and any run of URL pieces. */
export const orderPathTail: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid().map((id) => `${id}%00`),
  fc.uuid().map((id) => encodeURIComponent(`${id}\u0000`)),
  fc.constantFrom("", ".", "..", "%2e%2e", "%2F", "a/b", "..%2F..%2Fetc%2Fpasswd", "%"),
  fc.array(urlPiece, { maxLength: 30 }).map((pieces) => pieces.join("")),
);

/** Percent-encodes every UTF-8 byte of a string, so any string fits in a query. */
export const percentEncoded = (text: string) =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

const cursorTimestamp = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 19 }),
    fc.integer({ min: 0, max: 39 }),
    fc.integer({ min: 0, max: 29 }),
    fc.integer({ min: 0, max: 69 }),
    fc.integer({ min: 0, max: 69 }),
    fc.integer({ min: 0, max: 999_999 }),
  )
  .map(([y, mo, d, h, mi, s, us]) => {
    const two = (n: number) => String(n).padStart(2, "0");
    return `${String(y).padStart(4, "0")}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}.${String(us).padStart(6, "0")}Z`;
  });

const cursorMember = fc.oneof(shortHostileString, fc.jsonValue({ maxDepth: 1 }));

/** Cursors: shaped like ours with any date in them, or any other text and base64url. */
export const cursor: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(cursorTimestamp, fc.uuid())
      .map(([t, i]) => Buffer.from(JSON.stringify({ t, i })).toString("base64url")),
  },
  fc
    .tuple(cursorMember, cursorMember)
    .map(([t, i]) => Buffer.from(JSON.stringify({ t, i })).toString("base64url")),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
  shortHostileString,
);

const queryValue = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.constantFrom(
    "1",
    "20",
    "100",
    "0",
    "101",
    "-1",
    "1e2",
    "0x10",
    " 5",
    "5.0",
    "Infinity",
    "NaN",
    "",
  ),
  cursor,
  shortHostileString,
);

const rawQueryPiece = (maxPieces: number) =>
  fc.array(urlPiece, { maxLength: maxPieces }).map((pieces) => pieces.join(""));

const anyQueryPair = fc.tuple(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("customerId", "limit", "cursor") },
    shortHostileString.map(percentEncoded),
    rawQueryPiece(6),
  ),
  fc.oneof({ weight: 4, arbitrary: queryValue.map(percentEncoded) }, rawQueryPiece(20)),
);

/**
 * A raw query string: mostly the caller's listing with one odd value (so it gets as far as Postgres),
 * else any keys, repeats and encodings, broken ones too.
 */
export const queryString: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(HOSTILE_CALLER) },
        { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/) },
        shortHostileString,
      ),
      { freq: 8 },
    ),
    fc.option(queryValue, { freq: 2 }),
    fc.option(cursor, { freq: 2 }),
    fc.array(anyQueryPair, { maxLength: 3 }),
  )
  .map(([customerId, limit, cursorText, extra]) =>
    [
      ...(customerId === null ? [] : [["customerId", percentEncoded(customerId)]]),
      ...(limit === null ? [] : [["limit", percentEncoded(limit)]]),
      ...(cursorText === null ? [] : [["cursor", percentEncoded(cursorText)]]),
      ...extra,
    ]
      .map(([key, value]) => `${key}=${value}`)
      .join("&"),
  );

/**
 * Authorization header values no valid token is among: any header text, with or without a
 * scheme, and the caller's real token with one character (never the signature's last, whose
 * low bits base64url may ignore) replaced by another.
 */
export function hostileAuthorization(realToken: string): fc.Arbitrary<string> {
  const tampered = fc
    .tuple(
      fc.nat({ max: realToken.length - 2 }),
      headerValue.filter((value) => value.length > 0),
    )
    .filter(([at, replacement]) => replacement !== realToken[at])
    .map(([at, replacement]) => realToken.slice(0, at) + replacement + realToken.slice(at + 1));
  return fc.oneof(
    headerValue,
    headerValue.map((value) => `Bearer ${value}`),
    fc.constantFrom(
      "Bearer",
      "Bearer ",
      "bearer",
      "Basic",
      "Bearer =",
      "Bearer ...",
      "Bearer a.b.c",
    ),
    fc.constantFrom(
      `Bearer ${"a".repeat(10 * 1024)}`,
      `Bearer ${realToken}${"A".repeat(10 * 1024)}`,
    ),
    { weight: 3, arbitrary: tampered.map((token) => `Bearer ${token}`) },
  );
}
