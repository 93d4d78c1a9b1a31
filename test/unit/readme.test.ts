import { readFileSync } from "node:fs";
import path from "node:path";
import { environmentSchema } from "../../src/config";
import { TELEMETRY_VARIABLES } from "../../src/telemetry/telemetry-settings";

const readme = readFileSync(path.join(__dirname, "../../README.md"), "utf8");
const configSection = readme.split("## Configuration")[1]!.split("\n## ")[0]!;
const rows = [...configSection.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)].map(
  ([, name, fallback]) => ({ name: name!, fallback: fallback!.trim() }),
);

describe("README configuration table", () => {
  it("lists exactly the variables the config schema reads", () => {
    expect(rows.map((row) => row.name).sort()).toEqual(Object.keys(environmentSchema.shape).sort());
  });

  it("states the schema's defaults", () => {
    const parsed = environmentSchema.parse({
      DATABASE_URL: "postgres://db/x",
      REDIS_URL: "redis://cache",
      PRODUCT_API_URL: "http://products",
      PAYMENT_API_URL: "http://payments",
      PAYMENT_API_KEY: "a-long-enough-key",
      AUTH_JWKS_URL: "http://idp/.well-known/jwks.json",
      AUTH_ISSUER: "issuer",
      AUTH_AUDIENCE: "audience",
    }) as Record<string, string | number | readonly string[] | undefined>;
    for (const { name, fallback } of rows) {
      if (fallback.startsWith("required")) continue;
      const value = parsed[name];
      const expected = value === undefined ? "unset" : String(value);
      expect(`${name}=${fallback}`).toBe(`${name}=${expected}`);
    }
  });
});

describe("README tracing table", () => {
  const tracingSection = readme.split("## Tracing")[1]!.split("\n## ")[0]!;
  const names = [...tracingSection.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map(([, name]) => name);

  it("lists exactly the OTEL_* variables the telemetry settings act on", () => {
    expect(names.sort()).toEqual([...TELEMETRY_VARIABLES].sort());
  });

  it("lists every name the settings parser reads, and no other", () => {
    const source = readFileSync(
      path.join(__dirname, "../../src/telemetry/telemetry-settings.ts"),
      "utf8",
    );
    const read = new Set(source.match(/OTEL_[A-Z_]+/g));
    expect([...read].sort()).toEqual([...TELEMETRY_VARIABLES].sort());
  });
});
