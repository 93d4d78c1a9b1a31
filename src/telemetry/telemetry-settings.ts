// The standard OTEL_* variables this service acts on, checked before the SDK sees them: the SDK
// itself only logs a bad value (a typo in the sampler silently samples everything), while a
// bad value here stops the process with one message naming each bad variable, like config.ts.
// This file and the OTLP exporter are the documented exception to "only config.ts reads the
// environment": these names belong to OpenTelemetry, not to the service.
export type Environment = Readonly<Record<string, string | undefined>>;

export type SamplerSetting =
  | { readonly kind: "always_on" | "always_off" }
  | { readonly kind: "traceidratio"; readonly ratio: number }
  | {
      readonly kind: "parentbased";
      readonly root: "always_on" | "always_off" | "traceidratio";
      readonly ratio: number;
    };

export interface TelemetrySettings {
  /** Where spans go; undefined = no SDK at all, only W3C trace context propagation. */
  readonly export?: {
    readonly endpoint: string;
    readonly protocol: "http/protobuf" | "http/json";
  };
  readonly sampler: SamplerSetting;
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names one. */
  readonly defaultServiceName: string;
}

export class TelemetrySettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid OpenTelemetry configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "TelemetrySettingsError";
  }
}

const DEFAULT_SERVICE_NAME = "order-service";

/** Every OTEL_* name this file reads (the README's tracing table lists exactly these). */
export const TELEMETRY_VARIABLES = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
  "OTEL_TRACES_EXPORTER",
  "OTEL_SDK_DISABLED",
] as const;
const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
type SamplerName = (typeof SAMPLERS)[number];

const value = (env: Environment, name: string) => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
};

export function parseTelemetrySettings(env: Environment): TelemetrySettings {
  const problems: string[] = [];
  const sampler = parseSampler(env, problems);
  const exportTo = parseExport(env, problems);
  if (problems.length > 0) throw new TelemetrySettingsError(problems);
  return { export: exportTo, sampler, defaultServiceName: DEFAULT_SERVICE_NAME };
}

function parseExport(env: Environment, problems: string[]): TelemetrySettings["export"] {
  if (value(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return undefined;
  const exporter = value(env, "OTEL_TRACES_EXPORTER")?.toLowerCase();
  if (exporter !== undefined && exporter !== "otlp" && exporter !== "none") {
    problems.push(
      `OTEL_TRACES_EXPORTER: must be "otlp" or "none" (this service exports OTLP only)`,
    );
    return undefined;
  }
  if (exporter === "none") return undefined;

  // The signal-specific endpoint is used as is; the general one gets /v1/traces appended (the
  // exporter does both, reading the variables itself).
  const tracesEndpoint = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpointName = tracesEndpoint
    ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    : "OTEL_EXPORTER_OTLP_ENDPOINT";
  const endpoint = tracesEndpoint ?? value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (endpoint === undefined) return undefined;
  let endpointValid = true;
  try {
    const url = new URL(endpoint);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
  } catch {
    endpointValid = false;
    problems.push(`${endpointName}: must be an http:// or https:// URL (an OTLP/HTTP receiver)`);
  }

  const protocolName = value(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = value(env, protocolName) ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    problems.push(
      `${protocolName}: must be "http/protobuf" (the default) or "http/json"` +
        (protocol === "grpc" ? "; gRPC is not bundled, point it at the receiver's port 4318" : ""),
    );
    return undefined;
  }
  return endpointValid ? { endpoint, protocol } : undefined;
}

function parseSampler(env: Environment, problems: string[]): SamplerSetting {
  const name = (value(env, "OTEL_TRACES_SAMPLER") ?? "parentbased_always_on").toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    problems.push(`OTEL_TRACES_SAMPLER: must be one of ${SAMPLERS.join(", ")}`);
    return { kind: "always_off" };
  }
  const sampler = name as SamplerName;
  const ratio = parseRatio(env, sampler, problems);
  if (sampler === "always_on" || sampler === "always_off") return { kind: sampler };
  if (sampler === "traceidratio") return { kind: "traceidratio", ratio };
  const root = sampler.slice("parentbased_".length) as "always_on" | "always_off" | "traceidratio";
  return { kind: "parentbased", root, ratio };
}

function parseRatio(env: Environment, sampler: SamplerName, problems: string[]): number {
  const raw = value(env, "OTEL_TRACES_SAMPLER_ARG");
  if (raw === undefined || !sampler.endsWith("traceidratio")) return 1;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    problems.push("OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1 (the sampled fraction)");
    return 1;
  }
  return ratio;
}
