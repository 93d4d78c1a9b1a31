// The spans of one request, from the service and the fake upstreams it calls, recorded by an
// in-memory exporter (test/support/traced-stack-process.ts explains why in a child process).
import { randomBytes, randomUUID } from "node:crypto";
import { startTracedStack, type ExportedSpan, type TracedStack } from "../support/traced-stack";

jest.setTimeout(60_000);

const INTERNAL = 0;
const SERVER = 1;
const CLIENT = 2;
const ERROR = 2;
const CUSTOMER = "customer-traced";

let stack: TracedStack;

beforeAll(async () => {
  stack = await startTracedStack();
});
afterAll(() => stack?.close());
beforeEach(async () => {
  await Promise.all(
    [stack.products, stack.payments].map((url) => fetch(`${url}/_control`, { method: "DELETE" })),
  );
  await stack.reset();
});

function callerTrace() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function placeOrder(
  traceparent: string,
  options: { productId?: string; key?: string; paymentToken?: string } = {},
) {
  return fetch(`${stack.url}/orders`, {
    method: "POST",
    headers: {
      ...(await stack.bearer(CUSTOMER)),
      "content-type": "application/json",
      "Idempotency-Key": options.key ?? randomUUID(),
      traceparent,
    },
    body: JSON.stringify({
      items: [{ productId: options.productId ?? "sku-mug", quantity: 1 }],
      paymentToken: options.paymentToken ?? "tok_traced_visa",
    }),
  });
}

const serverSpanOf = (spans: readonly ExportedSpan[], traceId: string) =>
  spans.find(
    (span) => span.traceId === traceId && span.kind === SERVER && span.name.endsWith(" /orders"),
  );

/** The spans of the trace, each with the names of its ancestors (closest first). */
function ancestry(spans: readonly ExportedSpan[], span: ExportedSpan): string[] {
  const parent = spans.find((candidate) => candidate.spanId === span.parentSpanId);
  return parent ? [parent.name, ...ancestry(spans, parent)] : [];
}

const setFaults = (url: string, faults: Record<string, unknown>) =>
  fetch(`${url}/_control`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });

describe("the span tree of POST /orders", () => {
  let caller: ReturnType<typeof callerTrace>;
  let spans: readonly ExportedSpan[];

  beforeAll(async () => {
    await stack.reset();
    caller = callerTrace();
    // A product no earlier test looked up, so the lookup misses the cache and calls out.
    const answer = await placeOrder(caller.traceparent, { productId: "sku-grinder" });
    expect(answer.status).toBe(201);
    spans = (
      await stack.spansWhen((seen) => serverSpanOf(seen, caller.traceId) !== undefined)
    ).filter((span) => span.traceId === caller.traceId);
  });

  it("starts with a server span named after the route template, under the caller's span", () => {
    expect(serverSpanOf(spans, caller.traceId)).toMatchObject({
      name: "POST /orders",
      parentSpanId: caller.spanId,
      attributes: expect.objectContaining({
        "http.route": "/orders",
        "http.response.status_code": 201,
      }),
    });
  });

  it("puts the product lookup, its Redis calls and its HTTP call under the server span", () => {
    const lookup = spans.find((span) => span.name === "product lookup")!;
    expect(lookup).toMatchObject({ kind: INTERNAL, attributes: { "product.id": "sku-grinder" } });
    expect(ancestry(spans, lookup)).toEqual(["POST /orders"]);
    const below = spans.filter((span) => span.parentSpanId === lookup.spanId);
    expect(below.map((span) => `${span.scope} ${span.name}`)).toEqual(
      expect.arrayContaining([
        "@opentelemetry/instrumentation-ioredis get",
        "@opentelemetry/instrumentation-undici GET",
        "@opentelemetry/instrumentation-ioredis set",
      ]),
    );
  });

  it("shows the fake product service's own server span under the HTTP client span", () => {
    const productServer = spans.find((span) => span.name === "GET /products/{id}")!;
    expect(ancestry(spans, productServer)).toEqual(["GET", "product lookup", "POST /orders"]);
  });

  it("puts the charge and its HTTP call under the server span, never the card token", () => {
    const charge = spans.find((span) => span.name === "payment charge")!;
    expect(charge.attributes).toMatchObject({
      "payment.outcome": "succeeded",
      "payment.currency": "USD",
    });
    expect(ancestry(spans, charge)).toEqual(["POST /orders"]);
    const call = spans.find((span) => span.parentSpanId === charge.spanId)!;
    expect(call).toMatchObject({ kind: CLIENT, name: "POST" });
    expect(JSON.stringify(spans)).not.toContain("tok_traced_visa");
  });

  it("puts every Postgres query under the server span", () => {
    const queries = spans.filter((span) => span.scope === "@opentelemetry/instrumentation-pg");
    expect(queries.map((span) => span.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pg\.query:INSERT /)]),
    );
    for (const query of queries) expect(ancestry(spans, query)).toContain("POST /orders");
  });

  it("writes the server span's ids on the request's log lines", async () => {
    const server = serverSpanOf(spans, caller.traceId)!;
    const lines = (await stack.logs()).filter((line) => line.trace_id === caller.traceId);
    expect(lines.find((line) => line.msg === "request completed")).toMatchObject({
      span_id: server.spanId,
    });
  });
});

describe("what the resilience patterns did, on the spans", () => {
  it("records each product retry as an event with its attempt and delay", async () => {
    await setFaults(stack.products, { failNext: 1, errorStatus: 503 });
    const caller = callerTrace();
    expect((await placeOrder(caller.traceparent, { productId: "sku-kettle" })).status).toBe(201);
    const spans = await stack.spansWhen((seen) => serverSpanOf(seen, caller.traceId) !== undefined);
    const lookup = spans.find(
      (span) => span.traceId === caller.traceId && span.name === "product lookup",
    )!;
    expect(lookup.events).toEqual([
      {
        name: "retry",
        attributes: {
          "upstream.name": "product-service",
          "retry.attempt": 1,
          "retry.delay_ms": expect.any(Number),
          "error.type": "UpstreamStatusError",
        },
      },
    ]);
    const failedCall = spans.find(
      (span) =>
        span.parentSpanId === lookup.spanId && span.kind === CLIENT && span.statusCode === ERROR,
    );
    expect(failedCall?.attributes["http.response.status_code"]).toBe(503);
  });

  it("marks a failed product lookup and its request as errors", async () => {
    await setFaults(stack.products, { errorRate: 1, errorStatus: 503 });
    const caller = callerTrace();
    expect((await placeOrder(caller.traceparent, { productId: "sku-scale" })).status).toBe(503);
    const spans = await stack.spansWhen((seen) => serverSpanOf(seen, caller.traceId) !== undefined);
    const lookup = spans.find(
      (span) => span.traceId === caller.traceId && span.name === "product lookup",
    );
    expect(lookup).toMatchObject({
      statusCode: ERROR,
      attributes: expect.objectContaining({ "error.type": "UpstreamStatusError" }),
    });
    expect(serverSpanOf(spans, caller.traceId)?.statusCode).toBe(ERROR);
  });

  it("marks an idempotent replay on the server span", async () => {
    const key = randomUUID();
    await placeOrder(callerTrace().traceparent, { key });
    const caller = callerTrace();
    const replay = await placeOrder(caller.traceparent, { key });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const spans = await stack.spansWhen((seen) => serverSpanOf(seen, caller.traceId) !== undefined);
    const server = serverSpanOf(spans, caller.traceId)!;
    expect(server.attributes["idempotency.replayed"]).toBe(true);
    expect(server.events.map((event) => event.name)).toContain("idempotent_replay");
  });

  it("records the payment breaker's refusal as an event", async () => {
    await setFaults(stack.payments, { errorRate: 1, errorStatus: 503 });
    // Five failed charges open the breaker (BREAKER_FAILURE_THRESHOLD): each order waits.
    for (let i = 0; i < 5; i++)
      expect((await placeOrder(callerTrace().traceparent)).status).toBe(202);
    const caller = callerTrace();
    expect((await placeOrder(caller.traceparent)).status).toBe(503);
    const spans = await stack.spansWhen((seen) => serverSpanOf(seen, caller.traceId) !== undefined);
    const server = serverSpanOf(spans, caller.traceId)!;
    expect(server.events).toContainEqual({
      name: "breaker_rejected",
      attributes: {
        "breaker.name": "payment-service",
        "breaker.retry_after_ms": expect.any(Number),
      },
    });
  });
});
