// Tracing on (an OTLP endpoint is set): the SDK with exactly the instrumentations this service
// uses (incoming HTTP, pg, ioredis, fetch/undici), loaded by the preload before any of those
// modules is: instrumentation patches a module as it is required, never after.
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { isProbePath } from "../http/probe-paths";
import { routeTemplateOf } from "../http/route-template";
import { registerTraceContext } from "./trace-context";
import type { SamplerSetting, TelemetrySettings } from "./telemetry-settings";

export interface TracingOptions {
  /** Tests pass an in-memory exporter; otherwise OTLP/HTTP as the settings say. */
  readonly exporter?: SpanExporter;
  /** "simple" exports each span as it ends (tests); "batch" (default) in the background. */
  readonly processing?: "batch" | "simple";
}

export interface Tracing {
  readonly provider: TracerProvider;
  /** Stops instrumenting and undoes the global registrations (tests). */
  stop(): Promise<void>;
}

export function startTracing(settings: TelemetrySettings, options: TracingOptions = {}): Tracing {
  const unregisterContext = registerTraceContext();
  const exporter = options.exporter ?? otlpExporter(settings);
  const provider = new TracerProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.defaultServiceName }))
      // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name.
      .merge(detectResources({ detectors: [envDetector] })),
    sampler: samplerFor(settings.sampler),
    spanProcessors: [
      options.processing === "simple"
        ? new SimpleSpanProcessor({ exporter })
        : new BatchSpanProcessor({ exporter }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  const unregisterInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isProbePath(request.url),
        // Upstream calls go through fetch (undici, below); the only http.request callers are
        // the OTLP exporter itself and libraries we do not trace.
        disableOutgoingRequestInstrumentation: true,
        // "POST /orders", "GET /orders/{id}": the route template, never the raw id.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = routeTemplateOf(request as Parameters<typeof routeTemplateOf>[0]);
          if (route === undefined) return;
          span.setAttribute("http.route", route);
          span.updateName(`${(request as { method?: string }).method ?? "GET"} ${route}`);
        },
      }),
      new UndiciInstrumentation(),
      // Only inside a request or a traced job: no root spans for pool warm-up and probes. No
      // pg-pool.connect span either: taking a warm client from the pool is no work to see, and
      // its span cost as much to export as the query's (a wait for a client shows as the
      // query span starting late).
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new IORedisInstrumentation({
        requireParentSpan: true,
        // The command name only: arguments are keys and cached values, not for a trace.
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
  return {
    provider,
    stop: async () => {
      unregisterInstrumentations();
      await provider.shutdown();
      trace.disable();
      unregisterContext();
    },
  };
}

function otlpExporter({ export: destination }: TelemetrySettings): SpanExporter {
  // The exporters read OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout, compression) themselves.
  return destination?.protocol === "http/json"
    ? new OtlpJsonExporter()
    : new OtlpProtobufExporter();
}

function samplerFor(setting: SamplerSetting): Sampler {
  const plain = (kind: "always_on" | "always_off" | "traceidratio", ratio: number): Sampler => {
    if (kind === "always_on") return new AlwaysOnSampler();
    if (kind === "always_off") return new AlwaysOffSampler();
    return new TraceIdRatioBasedSampler(ratio);
  };
  if (setting.kind === "parentbased") {
    // An incoming sampled flag is honoured; only traces that start here use the root sampler.
    return new ParentBasedSampler({ root: plain(setting.root, setting.ratio) });
  }
  return plain(setting.kind, setting.kind === "traceidratio" ? setting.ratio : 1);
}
