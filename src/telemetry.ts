// The OpenTelemetry preload: `node --require ./dist/telemetry.js dist/main.js` (npm start, the
// image's entry point, the Kubernetes command). It runs before the service's first import, so
// http, pg and ioredis are instrumented as they load, whatever order main.ts imports them in.
// With no OTLP endpoint set it loads no SDK at all: only trace context propagation.
import { enableCompileCache } from "./infra/compile-cache";
import type * as PropagationOnly from "./telemetry/propagation-only";
import type * as StartTracing from "./telemetry/start-tracing";
import { parseTelemetrySettings, TelemetrySettingsError } from "./telemetry/telemetry-settings";

/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when used */
function startTelemetry(): void {
  // OTEL_* belong to OpenTelemetry: the one documented exception to "only config.ts reads
  // the environment" (the OTLP exporter reads its own variables too).
  const settings = parseTelemetrySettings(process.env);
  if (settings.export) {
    const { startTracing } = require("./telemetry/start-tracing") as typeof StartTracing;
    startTracing(settings);
  } else {
    const { startPropagationOnly } =
      require("./telemetry/propagation-only") as typeof PropagationOnly;
    startPropagationOnly();
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

// The first code of the process: every module loaded from here on is compiled once.
enableCompileCache();
try {
  startTelemetry();
} catch (error) {
  if (!(error instanceof TelemetrySettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
