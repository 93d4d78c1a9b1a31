import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { parse } from "yaml";
import { collectFully } from "../support/full-gc";
import { StatsdSink } from "../support/statsd-sink";
import { startTestStack, type TestStack } from "../support/test-stack";

const mappingFile = path.join(__dirname, "../../k8s/base/statsd-mapping.yaml");
const mappedNames: string[] = (
  parse(readFileSync(mappingFile, "utf8")) as { mappings: { match: string }[] }
).mappings.map((mapping) => mapping.match);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
// Per caller: "metrics" sends fewer /orders requests than this; "metrics-flood" one more.
const RATE_LIMIT = 50;

describe("StatsD metrics, as the statsd-exporter sidecar receives them", () => {
  const sink = new StatsdSink();
  let stack: TestStack;

  beforeAll(async () => {
    const port = await sink.start();
    stack = await startTestStack({
      STATSD_HOST: "127.0.0.1",
      STATSD_PORT: String(port),
      BREAKER_FAILURE_THRESHOLD: "20",
      RETRY_MAX_ATTEMPTS: "10",
      RETRY_BUDGET_PERCENT: "0",
      RATE_LIMIT_REQUESTS: String(RATE_LIMIT),
    });
    const order = (productId: string, paymentToken = "tok") => ({
      customerId: "metrics",
      items: [{ productId, quantity: 1 }],
      paymentToken,
    });
    const created = await request(stack.app)
      .post("/orders")
      .set(await stack.as("metrics"))
      .send(order("sku-mug"))
      .expect(201);
    await request(stack.app)
      .get(`/orders/${created.body.id}`)
      .set(await stack.as("metrics"))
      .expect(200);
    await request(stack.app)
      .get("/orders")
      .set(await stack.as("metrics"))
      .query({ customerId: "metrics" })
      .expect(200);
    await request(stack.app).get("/nowhere").expect(404);
    await request(stack.app).get("/health/ready").expect(200);
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("metrics"))
      .set("Idempotency-Key", "metrics-key")
      .send(order("sku-mug"))
      .expect(201);
    await request(stack.app)
      .post("/orders")
      .set(await stack.as("metrics"))
      .set("Idempotency-Key", "metrics-key")
      .send(order("sku-mug"))
      .expect(201);
    // Retries until the budget's reserve (10 a window) is spent, then payments fail until
    // the payment breaker opens.
    stack.products.faults.update({ errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 2; i += 1) {
      await request(stack.app)
        .post("/orders")
        .set(await stack.as("metrics"))
        .send(order(`sku-missing-${i}`));
    }
    stack.payments.faults.update({ errorRate: 1, errorStatus: 503 });
    // Stored and accepted (202) until the breaker opens; refused (503) from then on.
    for (let i = 0; i < 20; i += 1) {
      const { status } = await request(stack.app)
        .post("/orders")
        .set(await stack.as("metrics"))
        .send(order("sku-mug"));
      expect([202, 503]).toContain(status);
    }
    // A caller over the rate limit is refused (429).
    const flood = await stack.as("metrics-flood");
    for (let i = 0; i < RATE_LIMIT; i += 1) {
      await request(stack.app).get("/orders").set(flood).expect(200);
    }
    await request(stack.app).get("/orders").set(flood).expect(429);
    // A replica that cannot reach Redis lets requests through uncounted (the limiter fails open).
    const cutOff = await startTestStack(
      { STATSD_HOST: "127.0.0.1", STATSD_PORT: String(port), REDIS_URL: "redis://127.0.0.1:1/0" },
      stack,
    );
    try {
      await request(cutOff.app)
        .get("/orders")
        .set(await cutOff.as("metrics"))
        .expect(200);
    } finally {
      await cutOff.close();
    }
    // The heap-after-GC gauge waits for a full collection the started reporter sees.
    stack.service.runtimeMetrics.start();
    collectFully();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stack.service.runtimeMetrics.report();
    await stack.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterAll(() => sink.close());

  it("emits every metric the mapping expects", () => {
    const emitted = new Set(sink.samples.map((sample) => sample.name));
    expect(mappedNames.filter((name) => !emitted.has(name))).toEqual([]);
  });

  it("emits no name the mapping does not know", () => {
    const unmapped = sink.samples.filter((sample) => !mappedNames.includes(sample.name));
    expect(unmapped.map((sample) => sample.name)).toEqual([]);
  });

  it("tags request metrics with the route template, method and status class, never an id", () => {
    const routes = sink.named("http.requests").map((sample) => sample.tags);
    expect(routes).toContainEqual({ route: "/orders/{id}", method: "GET", status_class: "2xx" });
    expect(routes).toContainEqual({ route: "/orders", method: "POST", status_class: "2xx" });
    expect(routes).toContainEqual({ route: "unmatched", method: "GET", status_class: "4xx" });
    expect(routes).toContainEqual({ route: "/orders", method: "POST", status_class: "5xx" });
    expect(sink.samples.some((sample) => UUID.test(JSON.stringify(sample.tags)))).toBe(false);
    for (const sample of sink.named("http.request_duration")) {
      expect(sample.type).toBe("ms");
      expect(Object.keys(sample.tags).sort()).toEqual(["method", "route", "status_class"]);
    }
    expect(sink.named("http.errors")[0]?.tags).toEqual({ route: "/orders" });
  });

  it("does not count probe requests", () => {
    const routes = sink.named("http.requests").map((sample) => sample.tags.route);
    expect(routes.filter((route) => route?.startsWith("/health"))).toEqual([]);
  });

  it("reports breaker transitions and state per upstream", () => {
    expect(sink.named("breaker.transitions").map((sample) => sample.tags)).toContainEqual({
      breaker: "payment-service",
      to: "open",
    });
    const paymentState = sink
      .named("breaker.state")
      .filter((sample) => sample.tags.breaker === "payment-service");
    expect(paymentState.at(-1)?.value).toBe(2);
  });

  it("counts retries and retry-budget refusals, and times upstream calls by outcome", () => {
    expect(sink.named("retry.attempts")[0]?.tags).toEqual({ upstream: "product-service" });
    expect(sink.named("retry.budget_refusals")[0]?.tags).toEqual({ upstream: "product-service" });
    const outcomes = sink.named("upstream.duration").map((sample) => sample.tags);
    expect(outcomes).toContainEqual({ upstream: "product-service", outcome: "success" });
    expect(outcomes).toContainEqual({ upstream: "payment-service", outcome: "failure" });
  });

  it("counts rate-limited requests per route, and requests the limiter let through uncounted", () => {
    expect(sink.named("rate_limit.limited").map((sample) => sample.tags)).toEqual([
      { route: "/orders" },
    ]);
    expect(sink.named("rate_limit.failed_open").length).toBeGreaterThanOrEqual(1);
  });

  it("counts idempotent replays and reports pool, Redis and process gauges", () => {
    expect(sink.named("idempotency.replays")).toHaveLength(1);
    expect(sink.named("pg.pool.total")[0]?.value).toBeGreaterThan(0);
    expect(sink.named("redis.up")[0]?.value).toBe(1);
    expect(sink.named("process.heap_used_bytes")[0]?.value).toBeGreaterThan(1_000_000);
    expect(sink.named("process.heap_after_gc_bytes")[0]?.value).toBeGreaterThan(1_000_000);
  });
});
