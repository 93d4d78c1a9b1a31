import { trace } from "@opentelemetry/api";
import type { Logger } from "../infra/logger";
import type { Closeable } from "../lifecycle/graceful-shutdown";

/**
 * The longest shutdown waits for the last spans to reach the collector. Bounded, since a
 * collector that is down must not eat the drain budget; counted in terminationGracePeriod.
 */
export const TRACE_FLUSH_TIMEOUT_MS = 2000;

interface ShutdownableProvider {
  shutdown(): Promise<void>;
}

function sdkProvider(): ShutdownableProvider | undefined {
  // The API hands out a proxy; behind it is the SDK's provider when the preload started one.
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = proxy.getDelegate?.() ?? proxy;
  return typeof (provider as Partial<ShutdownableProvider>).shutdown === "function"
    ? (provider as ShutdownableProvider)
    : undefined;
}

/**
 * Exports the spans still queued and closes the tracer provider, waiting at most `timeoutMs`.
 * "off" when tracing is off (nothing to flush).
 */
export async function flushTraces(
  timeoutMs = TRACE_FLUSH_TIMEOUT_MS,
): Promise<"flushed" | "timed out" | "off"> {
  const provider = sdkProvider();
  if (!provider) return "off";
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), timeoutMs);
  });
  const flushed = provider.shutdown().then(() => "flushed" as const);
  return Promise.race([flushed, timedOut]).finally(() => clearTimeout(timer));
}

/** The shutdown step that flushes the traces (the service's last resource to close). */
export function traceFlush(logger: Logger, timeoutMs = TRACE_FLUSH_TIMEOUT_MS): Closeable {
  return {
    name: "traces",
    close: async () => {
      // Lost spans are not a failed shutdown: the exit code stays about the service's work.
      if ((await flushTraces(timeoutMs)) === "timed out") {
        logger.warn({ timeoutMs }, "trace export did not finish in time; the last spans are lost");
      }
    },
  };
}
