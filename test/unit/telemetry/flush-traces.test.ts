import { trace, type TracerProvider } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import {
  BatchSpanProcessor,
  TracerProvider as SdkTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import pino from "pino";
import { flushTraces, traceFlush } from "../../../src/telemetry/flush-traces";
import { LogCapture } from "../../support/log-capture";

afterEach(() => trace.disable());

/** A provider whose shutdown waits for a collector that never answers. */
const hangingProvider = (): TracerProvider & { shutdown(): Promise<void> } => ({
  getTracer: () => trace.getTracer("unused"),
  shutdown: () => new Promise(() => undefined),
});

describe("flushing the traces on shutdown", () => {
  it("does nothing when tracing is off (no SDK provider behind the API)", async () => {
    await expect(flushTraces(10)).resolves.toBe("off");
  });

  it("exports the spans still queued and closes the provider", async () => {
    const exported: string[] = [];
    const collector: SpanExporter = {
      export: (spans: ReadableSpan[], done) => {
        exported.push(...spans.map((span) => span.name));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    // The batch processor as in production: nothing leaves before its 5 s delay but a flush.
    const provider = new SdkTracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter: collector })],
    });
    trace.setGlobalTracerProvider(provider);
    trace.getTracer("test").startSpan("last words").end();
    expect(exported).toEqual([]);
    await expect(flushTraces(1000)).resolves.toBe("flushed");
    expect(exported).toEqual(["last words"]);
    // Closed: later spans are no longer exported.
    trace.getTracer("test").startSpan("after shutdown").end();
    await provider.forceFlush();
    expect(exported).toEqual(["last words"]);
  });

  it("gives up after its timeout when the collector does not answer", async () => {
    trace.setGlobalTracerProvider(hangingProvider());
    const started = performance.now();
    await expect(flushTraces(50)).resolves.toBe("timed out");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("warns, and still counts as a clean close, when the export times out", async () => {
    trace.setGlobalTracerProvider(hangingProvider());
    const capture = new LogCapture();
    await expect(traceFlush(pino(capture), 20).close()).resolves.toBeUndefined();
    expect(capture.entries).toEqual([
      expect.objectContaining({
        level: 40,
        timeoutMs: 20,
        msg: "trace export did not finish in time; the last spans are lost",
      }),
    ]);
  });
});
