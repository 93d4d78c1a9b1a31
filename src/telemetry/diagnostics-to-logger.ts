import { diag, DiagLogLevel } from "@opentelemetry/api";
import type { Logger } from "../infra/logger";

/**
 * The SDK reports its own trouble (an export the collector refused, a bad attribute) through
 * `diag`, which is silent by default: a wrong endpoint would drop every span without a word.
 * Warnings and errors become log lines; the SDK's chatter below that does not.
 */
export function logTelemetryDiagnostics(logger: Logger): void {
  const log =
    (level: "warn" | "error") =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ component: "opentelemetry", details: args.map(String) }, message);
  diag.setLogger(
    {
      error: log("error"),
      warn: log("warn"),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}
