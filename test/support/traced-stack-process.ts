// A test stack (test-stack.ts: the service in-process, with its fake upstreams) in a process of
// its own, traced by the same startTracing() the preload runs, into an in-memory exporter.
// A child process because instrumentation patches modules as Node's loader requires them,
// and jest's module registry bypasses that loader: inside a jest worker, pg and ioredis would
// never be patched. Driven by test/support/traced-stack.ts over IPC.
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { startTracing } from "../../src/telemetry/start-tracing";
import { parseTelemetrySettings } from "../../src/telemetry/telemetry-settings";
import type * as HttpServer from "../../src/http/server";
import type * as TestStack from "./test-stack";

const exporter = new InMemorySpanExporter();
const tracing = startTracing(parseTelemetrySettings({}), { exporter, processing: "simple" });

export type TracedStackRequest =
  | { readonly type: "spans" | "logs" | "reset" | "close" }
  | { readonly type: "bearer"; readonly customerId: string };

export interface ExportedSpan {
  readonly name: string;
  /** The API's SpanKind: 0 internal, 1 server, 2 client. */
  readonly kind: number;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly events: readonly { name: string; attributes: Record<string, unknown> }[];
  /** The API's SpanStatusCode: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
}

const exported = (span: ReadableSpan): ExportedSpan => ({
  name: span.name,
  kind: span.kind,
  scope: span.instrumentationScope.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  attributes: { ...span.attributes },
  events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
  statusCode: span.status.code,
});

async function main(): Promise<void> {
  // Loaded only now, after tracing started: the modules it instruments are required here.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startTestStack } = require("./test-stack") as typeof TestStack;
  const { createHttpServer, listen } = require("../../src/http/server") as typeof HttpServer;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const stack = await startTestStack(JSON.parse(process.env.TRACED_STACK_ENV ?? "{}"));
  const server = createHttpServer(stack.app);
  const port = await listen(server, 0);
  const send = (message: unknown) => process.send!(message);

  const answer = async (request: TracedStackRequest) => {
    switch (request.type) {
      case "spans":
        return send({ type: "spans", spans: exporter.getFinishedSpans().map(exported) });
      case "logs":
        return send({ type: "logs", lines: stack.logs.entries });
      case "bearer":
        return send({ type: "bearer", headers: await stack.as(request.customerId) });
      case "reset":
        exporter.reset();
        return send({ type: "reset" });
      case "close":
        server.closeAllConnections();
        server.close();
        await stack.close();
        await tracing.stop();
        send({ type: "close" });
        process.disconnect();
    }
  };
  process.on("message", (request: TracedStackRequest) => void answer(request));
  send({
    type: "ready",
    url: `http://127.0.0.1:${port}`,
    products: stack.products.url,
    payments: stack.payments.url,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`traced stack failed to start: ${String(error)}\n`);
  process.exit(1);
});
