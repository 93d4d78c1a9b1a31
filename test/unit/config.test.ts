import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import {
  ConfigError,
  environmentSchema,
  parseConfig,
  parseMigrationConfig,
} from "../../src/config";

const required = {
  DATABASE_URL: "postgres://app@db:5432/orders",
  REDIS_URL: "redis://cache:6379/0",
  PRODUCT_API_URL: "http://products:8001",
  PAYMENT_API_URL: "https://payments.example",
  PAYMENT_API_KEY: "sk-very-secret-value",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("applies DESIGN.md's defaults when only the required variables are set", () => {
    const config = parseConfig(required);
    expect(config.port).toBe(8000);
    expect(config.log.level).toBe("info");
    expect(config.productApi.timeoutMs).toBe(2000);
    expect(config.retry).toEqual({
      maxAttempts: 3,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      budgetPercent: 20,
    });
    expect(config.idempotency).toEqual({ ttlS: 86_400, claimTimeoutMs: 60_000 });
    expect(config.paymentApi.timeoutMs).toBe(5000);
    expect(config.breaker).toEqual({
      failureThreshold: 5,
      resetTimeoutMs: 60_000,
      successThreshold: 2,
    });
    expect(config.shutdown).toEqual({ delayMs: 5000, timeoutMs: 30_000 });
    expect(config.reconcile.minAgeMs).toBe(60_000);
    expect(config.statsd).toBeUndefined();
    expect(config.log.file).toBeUndefined();
  });

  it("returns a deeply frozen object", () => {
    const config = parseConfig(required);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it("treats empty values as unset, so a copied .env.example means 'use the default'", () => {
    const config = parseConfig({ ...required, PORT: "", LOG_FILE: "", STATSD_HOST: "" });
    expect(config.port).toBe(8000);
    expect(config.log.file).toBeUndefined();
    expect(config.statsd).toBeUndefined();
  });

  it("turns metrics on when STATSD_HOST is set", () => {
    expect(parseConfig({ ...required, STATSD_HOST: "127.0.0.1" }).statsd).toEqual({
      host: "127.0.0.1",
      port: 9125,
    });
  });

  it("names every missing required variable in one error", () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        "DATABASE_URL: is required",
        "REDIS_URL: is required",
        "PRODUCT_API_URL: is required",
        "PAYMENT_API_URL: is required",
        "PAYMENT_API_KEY: is required",
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it.each([
    ["PORT", "eighty", "PORT: must be a whole number"],
    ["PORT", "70000", "PORT: must be between 0 and 65535"],
    ["PORT", "80.5", "PORT: must be a whole number"],
    ["RETRY_MAX_ATTEMPTS", "0", "RETRY_MAX_ATTEMPTS: must be between 1 and 10"],
    ["SHUTDOWN_TIMEOUT_MS", "-1", "SHUTDOWN_TIMEOUT_MS: must be between 0 and 600000"],
    ["DATABASE_URL", "not a url", "DATABASE_URL: must be a URL"],
    ["DATABASE_URL", "mysql://db/orders", "DATABASE_URL: must use postgres:// or postgresql://"],
    ["REDIS_URL", "http://cache", "REDIS_URL: must use redis:// or rediss://"],
    ["PRODUCT_API_URL", "ftp://products", "PRODUCT_API_URL: must use http:// or https://"],
  ])("rejects %s=%s with a precise reason", (name, value, problem) => {
    expect(problemsOf({ ...required, [name]: value })).toEqual([problem]);
  });

  it("rejects an unknown LOG_LEVEL and lists the accepted ones", () => {
    const [problem] = problemsOf({ ...required, LOG_LEVEL: "loud" });
    expect(problem).toMatch(/^LOG_LEVEL: .*"info"/);
  });

  it("never prints a secret's value, even when it is the invalid one", () => {
    const error = (() => {
      try {
        parseConfig({ ...required, PAYMENT_API_KEY: "short", DATABASE_URL: "oops" });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.message).toContain("PAYMENT_API_KEY: must be at least 8 characters");
    expect(error.message).toContain("DATABASE_URL: must be a URL");
    expect(error.message).not.toContain("short");
    expect(error.message).not.toContain("oops");
  });

  it("refuses a claim timeout that a slow order request could outlive", () => {
    expect(
      problemsOf({
        ...required,
        PRODUCT_DEADLINE_MS: "10000",
        PAYMENT_TIMEOUT_MS: "5000",
        IDEMPOTENCY_CLAIM_TIMEOUT_MS: "15000",
      }),
    ).toEqual([
      "IDEMPOTENCY_CLAIM_TIMEOUT_MS: must be more than PRODUCT_DEADLINE_MS + PAYMENT_TIMEOUT_MS (15000 ms), the longest an order request can run",
    ]);
  });

  it("refuses a backoff base above its cap", () => {
    expect(
      problemsOf({ ...required, RETRY_BASE_DELAY_MS: "5000", RETRY_MAX_DELAY_MS: "1000" }),
    ).toEqual(["RETRY_BASE_DELAY_MS: must not be more than RETRY_MAX_DELAY_MS"]);
  });

  it("lets the migrate process run with only DATABASE_URL", () => {
    expect(parseMigrationConfig({ DATABASE_URL: required.DATABASE_URL })).toEqual({
      databaseUrl: required.DATABASE_URL,
      logLevel: "info",
    });
    expect(() => parseMigrationConfig({})).toThrow("DATABASE_URL: is required");
  });

  it("lists exactly the names of .env.example, and .env.example parses as a valid config", () => {
    const example = parse(readFileSync(path.join(__dirname, "../../.env.example")));
    expect(Object.keys(example).sort()).toEqual(Object.keys(environmentSchema.shape).sort());
    expect(() => parseConfig(example)).not.toThrow();
  });
});
