import {
  parseTelemetrySettings,
  TelemetrySettingsError,
} from "../../../src/telemetry/telemetry-settings";

const problemsOf = (env: Record<string, string>) => {
  try {
    parseTelemetrySettings(env);
  } catch (error) {
    if (error instanceof TelemetrySettingsError) return error.problems;
    throw error;
  }
  throw new Error("expected the settings to be refused");
};

describe("OpenTelemetry settings (the standard OTEL_* variables)", () => {
  it("exports nothing when no OTLP endpoint is set: propagation only", () => {
    expect(parseTelemetrySettings({}).export).toBeUndefined();
  });

  it("exports OTLP/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT by default", () => {
    expect(
      parseTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).export,
    ).toEqual({ endpoint: "http://collector:4318", protocol: "http/protobuf" });
  });

  it("prefers the traces endpoint and the traces protocol over the general ones", () => {
    const settings = parseTelemetrySettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/v1/traces",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
    });
    expect(settings.export).toEqual({
      endpoint: "https://traces.example/v1/traces",
      protocol: "http/json",
    });
  });

  it.each([
    ["OTEL_SDK_DISABLED", "true"],
    ["OTEL_TRACES_EXPORTER", "none"],
  ])("exports nothing when %s=%s, even with an endpoint", (name, value) => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", [name]: value };
    expect(parseTelemetrySettings(env).export).toBeUndefined();
  });

  it("treats blank values as unset (a .env copied from .env.example)", () => {
    expect(
      parseTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: " ", OTEL_TRACES_SAMPLER: "" }),
    ).toEqual({
      export: undefined,
      sampler: { kind: "parentbased", root: "always_on", ratio: 1 },
      defaultServiceName: "order-service",
    });
  });

  it.each([
    ["always_on", {}, { kind: "always_on" }],
    ["always_off", {}, { kind: "always_off" }],
    ["traceidratio", { OTEL_TRACES_SAMPLER_ARG: "0.25" }, { kind: "traceidratio", ratio: 0.25 }],
    [
      "parentbased_traceidratio",
      { OTEL_TRACES_SAMPLER_ARG: "0" },
      { kind: "parentbased", root: "traceidratio", ratio: 0 },
    ],
    ["PARENTBASED_ALWAYS_OFF", {}, { kind: "parentbased", root: "always_off", ratio: 1 }],
  ])("reads OTEL_TRACES_SAMPLER=%s", (sampler, extra, expected) => {
    expect(parseTelemetrySettings({ OTEL_TRACES_SAMPLER: sampler, ...extra }).sampler).toEqual(
      expected,
    );
  });

  it("names every bad variable at once, never quoting a value", () => {
    const problems = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318/secret-path",
      OTEL_TRACES_SAMPLER: "sometimes",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER: must be one of always_on, always_off, /),
      "OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL (an OTLP/HTTP receiver)",
    ]);
    expect(problems.join("\n")).not.toContain("secret-path");
  });

  it.each(["-0.1", "1.5", "half", "NaN"])("refuses OTEL_TRACES_SAMPLER_ARG=%s", (ratio) => {
    expect(
      problemsOf({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: ratio }),
    ).toEqual(["OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1 (the sampled fraction)"]);
  });

  it("refuses gRPC with the way out (this service bundles the OTLP/HTTP exporters only)", () => {
    expect(
      problemsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL: must be "http/protobuf" (the default) or "http/json"; ' +
        "gRPC is not bundled, point it at the receiver's port 4318",
    ]);
  });

  it.each(["zipkin", "console"])("refuses OTEL_TRACES_EXPORTER=%s", (exporter) => {
    expect(problemsOf({ OTEL_TRACES_EXPORTER: exporter })).toEqual([
      'OTEL_TRACES_EXPORTER: must be "otlp" or "none" (this service exports OTLP only)',
    ]);
  });

  it.each(["ftp://collector:4318", "not a url"])("refuses the endpoint %s", (endpoint) => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint })).toEqual([
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http:// or https:// URL (an OTLP/HTTP receiver)",
    ]);
  });
});
