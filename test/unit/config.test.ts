import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import {
  ConfigError,
  environmentSchema,
  parseConfig,
  parseMigrationConfig,
} from "../../src/config";
import { isLocalHost } from "../../src/infra/local-host";
import { parseFakeConfig } from "../../src/fakes/fake-config";
import { FAKE_PAYMENT_GATEWAY_DEV_KEY } from "../../src/fakes/development-keys";

const required = {
  DATABASE_URL: "postgres://app@db:5432/orders",
  REDIS_URL: "redis://cache:6379/0",
  PRODUCT_API_URL: "http://products:8001",
  PAYMENT_API_URL: "https://payments.example",
  PAYMENT_API_KEY: "sk-very-secret-value",
  AUTH_JWKS_URL: "https://idp.example/.well-known/jwks.json",
  AUTH_ISSUER: "https://idp.example/",
  AUTH_AUDIENCE: "orders",
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

  it("groups the database and Redis settings, with their defaults", () => {
    const config = parseConfig(required);
    expect(config.database).toEqual({
      url: required.DATABASE_URL,
      poolMax: 10,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
    });
    expect(config.redis).toEqual({
      url: required.REDIS_URL,
      commandTimeoutMs: 500,
      keyPrefix: "orders:",
    });
  });

  it.each(["fatal", "error", "warn", "info", "debug", "trace", "silent"])(
    "accepts LOG_LEVEL=%s",
    (level) => {
      expect(parseConfig({ ...required, LOG_LEVEL: level }).log.level).toBe(level);
    },
  );

  it("refuses an AUTH_ISSUER longer than 512 characters", () => {
    const issuer = `https://idp.example/${"a".repeat(493)}`;
    expect(issuer).toHaveLength(513);
    expect(problemsOf({ ...required, AUTH_ISSUER: issuer })).toEqual([
      "AUTH_ISSUER: must be at most 512 characters",
    ]);
    expect(parseConfig({ ...required, AUTH_ISSUER: issuer.slice(1) }).auth.issuer).toHaveLength(
      512,
    );
  });

  it("accepts a backoff base equal to its cap", () => {
    expect(
      parseConfig({ ...required, RETRY_BASE_DELAY_MS: "1000", RETRY_MAX_DELAY_MS: "1000" }).retry,
    ).toMatchObject({ baseDelayMs: 1000, maxDelayMs: 1000 });
  });

  it("says what is wrong, one problem a line, in its message", () => {
    const error = new ConfigError(["PORT: must be a whole number", "REDIS_URL: is required"]);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toBe(
      "Invalid configuration:\n  - PORT: must be a whole number\n  - REDIS_URL: is required",
    );
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
        "AUTH_JWKS_URL: is required",
        "AUTH_ISSUER: is required",
        "AUTH_AUDIENCE: is required",
      ]),
    );
    expect(problems).toHaveLength(8);
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
    ["AUTH_JWKS_URL", "file:///etc/keys", "AUTH_JWKS_URL: must use http:// or https://"],
    ["AUTH_ISSUER", " https://idp/", "AUTH_ISSUER: must not start or end with white space"],
    ["RATE_LIMIT_REQUESTS", "0", "RATE_LIMIT_REQUESTS: must be between 1 and 1000000"],
    ["RATE_LIMIT_WINDOW_S", "1.5", "RATE_LIMIT_WINDOW_S: must be a whole number"],
    ["AUTH_TOKEN_CACHE_SIZE", "-1", "AUTH_TOKEN_CACHE_SIZE: must be between 0 and 1000000"],
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

  it("reports a bad value and values that do not fit together in the same message", () => {
    expect(
      problemsOf({
        ...required,
        PORT: "abc",
        RETRY_BASE_DELAY_MS: "5000",
        RETRY_MAX_DELAY_MS: "1000",
      }),
    ).toEqual([
      "PORT: must be a whole number",
      "RETRY_BASE_DELAY_MS: must not be more than RETRY_MAX_DELAY_MS",
    ]);
  });

  describe("BREAKER_RESET_TIMEOUT_MS", () => {
    // Both upstream breakers (product and payment) are built from the BREAKER_* settings.
    it("must be more than the payment call timeout", () => {
      expect(
        problemsOf({ ...required, PAYMENT_TIMEOUT_MS: "5000", BREAKER_RESET_TIMEOUT_MS: "5000" }),
      ).toEqual([
        "BREAKER_RESET_TIMEOUT_MS: must be more than PAYMENT_TIMEOUT_MS (5000 ms), the call timeout of an upstream its breakers guard",
      ]);
    });

    it("must be more than the product call timeout", () => {
      expect(
        problemsOf({
          ...required,
          PAYMENT_TIMEOUT_MS: "1000",
          PRODUCT_TIMEOUT_MS: "3000",
          BREAKER_RESET_TIMEOUT_MS: "3000",
        }),
      ).toEqual([
        "BREAKER_RESET_TIMEOUT_MS: must be more than PRODUCT_TIMEOUT_MS (3000 ms), the call timeout of an upstream its breakers guard",
      ]);
    });

    it("names both call timeouts in one problem when it is below both", () => {
      expect(problemsOf({ ...required, BREAKER_RESET_TIMEOUT_MS: "1000" })).toEqual([
        "BREAKER_RESET_TIMEOUT_MS: must be more than PAYMENT_TIMEOUT_MS (5000 ms) and PRODUCT_TIMEOUT_MS (2000 ms), the call timeouts of the upstreams its breakers guard",
      ]);
    });

    it("is accepted one millisecond above the longer call timeout", () => {
      expect(parseConfig({ ...required, BREAKER_RESET_TIMEOUT_MS: "5001" }).breaker).toEqual({
        failureThreshold: 5,
        resetTimeoutMs: 5001,
        successThreshold: 2,
      });
    });
  });

  describe("PAYMENT_API_URL in production", () => {
    const production = { ...required, NODE_ENV: "production" };
    const refusal =
      "PAYMENT_API_URL: must use https:// when NODE_ENV=production, unless its host is loopback or cluster-local";

    it("refuses http:// to a host on the network", () => {
      expect(problemsOf({ ...production, PAYMENT_API_URL: "http://payments.example.com" })).toEqual(
        [refusal],
      );
      expect(problemsOf({ ...production, PAYMENT_API_URL: "http://10.0.0.1:8002" })).toEqual([
        refusal,
      ]);
    });

    it("refuses it when NODE_ENV is unset, which means production", () => {
      const unset = { ...production, NODE_ENV: undefined };
      expect(problemsOf({ ...unset, PAYMENT_API_URL: "http://payments.example.com" })).toEqual([
        refusal,
      ]);
    });

    it.each([
      "http://payments:8002",
      "http://payment-service:8002",
      "http://127.0.0.1:8002",
      "http://[::1]:8002",
      "http://localhost:8002",
      "http://payment-service.orders.svc:8002",
      "http://payment-service.orders.svc.cluster.local:8002",
      "https://payments.example.com",
    ])("accepts %s", (url) => {
      expect(parseConfig({ ...production, PAYMENT_API_URL: url }).paymentApi.url).toBe(url);
    });

    it("accepts http:// anywhere outside production", () => {
      for (const NODE_ENV of ["development", "test"]) {
        const url = "http://payments.example.com";
        expect(parseConfig({ ...required, NODE_ENV, PAYMENT_API_URL: url }).paymentApi.url).toBe(
          url,
        );
      }
    });

    it("does not print the URL, which may carry credentials", () => {
      const [problem] = problemsOf({
        ...production,
        PAYMENT_API_URL: "http://user:hunter22@payments.example.com",
      });
      expect(problem).toBe(refusal);
    });
  });

  describe("callers and limits", () => {
    it("defaults to 600 requests per 60 s, a 10000-token cache and no trusted proxy", () => {
      const config = parseConfig(required);
      expect(config.rateLimit).toEqual({ requests: 600, windowS: 60 });
      expect(config.auth.tokenCacheSize).toBe(10_000);
      expect(config.auth.clockToleranceS).toBe(5);
      expect(config.trustedProxies).toEqual([]);
    });

    it("reads TRUSTED_PROXIES as a list of addresses, ranges and range names", () => {
      const config = parseConfig({
        ...required,
        TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.7,fd00::/8 ,loopback",
      });
      expect(config.trustedProxies).toEqual(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "loopback"]);
    });

    it.each([
      ["a single address", "192.168.1.7", ["192.168.1.7"]],
      ["a /32", "10.1.2.3/32", ["10.1.2.3/32"]],
      ["a two-digit prefix", "192.168.0.0/16", ["192.168.0.0/16"]],
      ["an IPv6 range longer than any IPv4 prefix", "fd00::/64", ["fd00::/64"]],
      ["a three-digit IPv6 prefix", "fd00::/120", ["fd00::/120"]],
      ["an IPv6 /128", "::1/128", ["::1/128"]],
    ])("reads TRUSTED_PROXIES with %s", (_what, value, proxies) => {
      expect(parseConfig({ ...required, TRUSTED_PROXIES: value }).trustedProxies).toEqual(proxies);
    });

    it.each([
      "true",
      "*",
      "10.0.0.0/33",
      "proxy.example",
      "10.0.0.1,",
      "::1/129",
      "1.2.3.4/8/8",
      "10.0.0.0/ 8",
      "10.0.0.0/0x10",
      "fd00::/8e1",
      "10.0.0.0/",
      "10.0.0.0/0008",
    ])("refuses TRUSTED_PROXIES=%s (never 'believe everyone')", (value) => {
      expect(problemsOf({ ...required, TRUSTED_PROXIES: value })).toEqual([
        "TRUSTED_PROXIES: must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) " +
          "or loopback, linklocal, uniquelocal",
      ]);
    });

    it("refuses an http:// AUTH_JWKS_URL on the network in production, but not a cluster-local one", () => {
      const production = { ...required, NODE_ENV: "production" };
      expect(problemsOf({ ...production, AUTH_JWKS_URL: "http://idp.example.com/jwks" })).toEqual([
        "AUTH_JWKS_URL: must use https:// when NODE_ENV=production, unless its host is loopback or cluster-local",
      ]);
      const local = "http://identity-provider:8003/.well-known/jwks.json";
      expect(parseConfig({ ...production, AUTH_JWKS_URL: local }).auth.jwksUrl).toBe(local);
    });
  });

  describe("PAYMENT_API_KEY set to the fake gateway's development key", () => {
    const devKey = { ...required, PAYMENT_API_KEY: FAKE_PAYMENT_GATEWAY_DEV_KEY };

    it("is refused in production, without printing it", () => {
      const problems = problemsOf({ ...devKey, NODE_ENV: "production" });
      expect(problems).toEqual([
        "PAYMENT_API_KEY: is the fake gateway's development key; set the real one",
      ]);
      expect(problems.join("\n")).not.toContain(FAKE_PAYMENT_GATEWAY_DEV_KEY);
    });

    it("is accepted in development and test", () => {
      for (const NODE_ENV of ["development", "test"]) {
        expect(parseConfig({ ...devKey, NODE_ENV }).paymentApi.apiKey).toBe(
          FAKE_PAYMENT_GATEWAY_DEV_KEY,
        );
      }
    });

    it("is the key .env.example (development) and the fake gateway use by default", () => {
      const example = parse(readFileSync(path.join(__dirname, "../../.env.example")));
      expect(example.NODE_ENV).toBe("development");
      expect(example.PAYMENT_API_KEY).toBe(FAKE_PAYMENT_GATEWAY_DEV_KEY);
      expect(parseFakeConfig({}, 8002).paymentApiKey).toBe(FAKE_PAYMENT_GATEWAY_DEV_KEY);
    });
  });
});

describe("isLocalHost", () => {
  it.each([
    ["localhost", "loopback by name"],
    ["LOCALHOST", "names are case-insensitive"],
    ["localhost.", "a fully qualified name's trailing dot"],
    ["127.0.0.1", "loopback"],
    ["127.1.2.3", "all of 127.0.0.0/8 is loopback"],
    ["127.255.255.255", "the last of 127.0.0.0/8"],
    ["[::1]", "IPv6 loopback as URL.hostname writes it"],
    ["::1", "IPv6 loopback without brackets"],
    ["[0:0:0:0:0:0:0:1]", "IPv6 loopback written out"],
    ["[::ffff:127.0.0.1]", "IPv4 loopback mapped into IPv6"],
    ["payments", "a single-label name resolves only through the cluster's search path"],
    ["Payments.", "single label, any case, trailing dot"],
    ["payment-service.orders.svc", "a Kubernetes Service, short form"],
    ["payment-service.orders.svc.cluster.local", "a Kubernetes Service, fully qualified"],
    ["PAYMENT-SERVICE.ORDERS.SVC.CLUSTER.LOCAL.", "the same, uppercase with a trailing dot"],
  ])("%s is local (%s)", (host) => {
    expect(isLocalHost(host)).toBe(true);
  });

  it.each([
    ["10.0.0.1", "a private address is still on the network"],
    ["192.168.1.10", "a private address"],
    ["128.0.0.1", "just outside 127.0.0.0/8"],
    ["0.0.0.0", "not loopback"],
    ["[fd00::1]", "an IPv6 address has no dots but is not a single-label name"],
    ["fe80::1", "link-local IPv6"],
    ["[::2]", "next to ::1"],
    ["payments.example.com", "a public name"],
    ["localhost.example.com", "only localhost itself is"],
    ["payments.svc.example.com", "svc must be the last label, or come before cluster.local"],
    ["cluster.local", "no Service in front"],
    [".svc", "no Service in front"],
    ["10", "a number is an IPv4 address, not a name"],
    ["", "no host at all"],
    [".", "no host at all"],
  ])("%s is not local (%s)", (host) => {
    expect(isLocalHost(host)).toBe(false);
  });
});
