// Traces from the real process, started as the image starts it (the OpenTelemetry preload
// first), exporting to an OTLP/HTTP receiver this test runs (DESIGN.md "Runtime contract").
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { cleanEnvironment } from "../support/clean-environment";
import { logMessage, ServiceProcess } from "../support/processes";
import { OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver";
import { E2E_PAYMENT_API_KEY, killServiceProcesses, useE2eStack } from "./e2e-stack";
import { anOrder, request } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();

const SERVER = 2;
const CLIENT = 3;

/** A caller's trace: a fresh trace id and the caller's own span id, sampled. */
function callerTrace() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

interface JournalEntry {
  readonly method: string;
  readonly path: string;
  readonly traceparent?: string;
}

async function journalOf(fakeUrl: string): Promise<readonly JournalEntry[]> {
  const response = await fetch(`${fakeUrl}/_control/requests`);
  return ((await response.json()) as { requests: JournalEntry[] }).requests;
}

async function placeOrder(port: number, traceparent: string) {
  const answer = await request(port, "/orders", {
    body: anOrder(),
    headers: {
      ...(await stack.authorization()),
      "Idempotency-Key": randomUUID(),
      traceparent,
      tracestate: "caller=upstream-vendor",
    },
  });
  expect(answer.status).toBe(201);
  return answer;
}

/** Every span of the trace that descends from `root` (root included). */
function subtree(spans: readonly ReceivedSpan[], root: ReceivedSpan): ReceivedSpan[] {
  const below = spans.filter((span) => span.parentSpanId === root.spanId);
  return [root, ...below.flatMap((child) => subtree(spans, child))];
}

describe("tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  const receiver = new OtlpReceiver();
  const caller = callerTrace();
  let service: ServiceProcess;
  let spans: readonly ReceivedSpan[] = [];
  let exitCode: number | null = null;

  beforeAll(async () => {
    await receiver.start();
    service = new ServiceProcess(
      stack.environment({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "orders-under-test",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=e2e",
        SHUTDOWN_DELAY_MS: "0",
      }),
    );
    const port = await service.waitUntilStarted().then(() => service.port);
    await placeOrder(port, caller.traceparent);
    // The batch processor would export within 5 s; SIGTERM must export at once, before exit.
    service.kill("SIGTERM");
    exitCode = (await service.exited).code;
    spans = receiver.spans.filter((span) => span.traceId === caller.traceId);
    if (process.env.SHOW_SPANS) console.log(JSON.stringify(spans, null, 1));
  });

  afterAll(async () => {
    await killServiceProcesses();
    await receiver.close();
  });

  it("exports the spans still queued when SIGTERM arrives, then exits 0", () => {
    expect(exitCode).toBe(0);
    expect(spans.length).toBeGreaterThan(0);
  });

  it("continues the caller's trace: the server span is a child of the caller's span", () => {
    const server = spans.find((span) => span.kind === SERVER);
    expect(server).toMatchObject({
      name: "POST /orders",
      parentSpanId: caller.spanId,
      serviceName: "orders-under-test",
      attributes: expect.objectContaining({ "http.route": "/orders" }),
    });
  });

  it("puts the Postgres, Redis, product and payment calls under the server span", () => {
    const server = spans.find((span) => span.kind === SERVER)!;
    const tree = subtree(spans, server);
    expect(tree.map((span) => span.scope)).toEqual(
      expect.arrayContaining([
        "@opentelemetry/instrumentation-http",
        "@opentelemetry/instrumentation-pg",
        "@opentelemetry/instrumentation-ioredis",
        "@opentelemetry/instrumentation-undici",
      ]),
    );
    const lookup = tree.find((span) => span.name === "product lookup")!;
    const charge = tree.find((span) => span.name === "payment charge")!;
    expect(lookup.attributes["product.id"]).toBe("sku-mug");
    expect(charge.attributes["payment.outcome"]).toBe("succeeded");
    const clientCalls = (parent: ReceivedSpan) =>
      subtree(spans, parent)
        .filter((span) => span.kind === CLIENT)
        .map((span) => span.scope);
    expect(clientCalls(lookup)).toEqual(
      expect.arrayContaining([
        "@opentelemetry/instrumentation-ioredis",
        "@opentelemetry/instrumentation-undici",
      ]),
    );
    expect(clientCalls(charge)).toEqual(["@opentelemetry/instrumentation-undici"]);
    // Nothing of this request escaped the tree (e.g. a query started outside its context).
    expect(tree).toHaveLength(spans.length);
  });

  it("carries the trace on to the payment service, under the charge's HTTP client span", async () => {
    const charges = (await journalOf(stack.payments.url)).filter((r) => r.path === "/charges");
    const received = charges.map((r) => r.traceparent).find((t) => t?.includes(caller.traceId));
    const httpCall = spans.find(
      (span) =>
        span.kind === CLIENT && span.attributes["url.full"]?.toString().endsWith("/charges"),
    );
    expect(received).toBe(`00-${caller.traceId}-${httpCall?.spanId}-01`);
  });

  it("writes the trace and span ids on the request's log lines", () => {
    const server = spans.find((span) => span.kind === SERVER)!;
    const completed = service.logLines.find(
      (line) => line.msg === "request completed" && line.trace_id === caller.traceId,
    );
    expect(completed).toMatchObject({ trace_id: caller.traceId, span_id: server.spanId });
  });

  it("names no secret in any span: bearer token, payment token, payment API key", async () => {
    const exported = JSON.stringify(spans);
    const bearer = (await stack.authorization()).Authorization!.replace("Bearer ", "");
    expect(exported).not.toContain(bearer);
    expect(exported).not.toContain(anOrder().paymentToken);
    expect(exported).not.toContain(E2E_PAYMENT_API_KEY);
    expect(exported).not.toMatch(/authorization/i);
  });
});

describe("tracing off (no OTLP endpoint)", () => {
  afterAll(killServiceProcesses);

  it("still carries the caller's traceparent to the product and payment services", async () => {
    const service = new ServiceProcess(stack.environment());
    const port = await service.waitUntilStarted().then(() => service.port);
    const caller = callerTrace();
    await placeOrder(port, `00-${caller.traceId}-${caller.spanId}-01`);

    // No spans of our own: the upstreams see the caller's span as their parent.
    const expected = `00-${caller.traceId}-${caller.spanId}-01`;
    const charges = await journalOf(stack.payments.url);
    expect(charges.map((r) => r.traceparent)).toContain(expected);
    const completed = await service.waitForLog(
      (line) => line.msg === "request completed" && line.trace_id === caller.traceId,
    );
    expect(completed.span_id).toBe(caller.spanId);
  });

  it("sends no traceparent of its own when the caller sent none", async () => {
    const service = new ServiceProcess(stack.environment());
    const port = await service.waitUntilStarted().then(() => service.port);
    const before = (await journalOf(stack.payments.url)).length;
    await request(port, "/orders", {
      body: anOrder(),
      headers: { ...(await stack.authorization()), "Idempotency-Key": randomUUID() },
    });
    const charges = (await journalOf(stack.payments.url)).slice(before);
    expect(charges.length).toBeGreaterThan(0);
    expect(charges.every((r) => r.traceparent === undefined)).toBe(true);
  });
});

describe("OTLP/protobuf, the default protocol", () => {
  const receiver = new OtlpReceiver();
  afterAll(async () => {
    await killServiceProcesses();
    await receiver.close();
  });

  it("exports protobuf to {endpoint}/v1/traces when only the endpoint is set", async () => {
    await receiver.start();
    const service = new ServiceProcess(
      stack.environment({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SHUTDOWN_DELAY_MS: "0" }),
    );
    const port = await service.waitUntilStarted().then(() => service.port);
    const caller = callerTrace();
    await placeOrder(port, caller.traceparent);
    service.kill("SIGTERM");
    await service.exited;
    expect(receiver.contentTypes).toContain("application/x-protobuf");
    const traceIdBytes = Buffer.from(caller.traceId, "hex");
    expect(receiver.protobufBodies.some((body) => body.includes(traceIdBytes))).toBe(true);
  });
});

describe("a bad OpenTelemetry setting", () => {
  it("stops the process with exit code 1 and a message naming each bad variable", async () => {
    const service = new ServiceProcess(
      stack.environment({
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
        OTEL_TRACES_SAMPLER: "sometimes",
      }),
    );
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.stderr).toContain(
      "OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL",
    );
    expect(service.stderr).toContain("OTEL_TRACES_SAMPLER: must be one of always_on");
    expect(service.logLines.filter(logMessage("listening; starting up"))).toEqual([]);
  });
});

describe("the preload", () => {
  /** The OpenTelemetry modules a process has loaded after the preload alone. */
  function loadedBy(env: Record<string, string>): string[] {
    const preload = path.join(__dirname, "../../dist/telemetry.js");
    const { stdout, status } = spawnSync(
      process.execPath,
      ["--require", preload, "-e", "console.log(JSON.stringify(Object.keys(require.cache)))"],
      { env: cleanEnvironment(env), encoding: "utf8" },
    );
    expect(status).toBe(0);
    const modules = (JSON.parse(stdout) as string[])
      .map((file) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(file)?.[1])
      .filter((name): name is string => name !== undefined);
    return [...new Set(modules)].sort();
  }

  it("loads no SDK, exporter or instrumentation when no endpoint is set", () => {
    expect(loadedBy({})).toEqual([
      "@opentelemetry/api",
      "@opentelemetry/context-async-hooks",
      "@opentelemetry/core",
      "@opentelemetry/semantic-conventions",
    ]);
  });

  it("loads the SDK, the OTLP exporter and the four instrumentations when one is", () => {
    expect(loadedBy({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toEqual(
      expect.arrayContaining([
        "@opentelemetry/sdk-trace",
        "@opentelemetry/exporter-trace-otlp-proto",
        "@opentelemetry/instrumentation-http",
        "@opentelemetry/instrumentation-pg",
        "@opentelemetry/instrumentation-ioredis",
        "@opentelemetry/instrumentation-undici",
      ]),
    );
  });
});
