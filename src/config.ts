// The only module that reads process.env (twelve-factor III: config in the environment).
// Every entry point calls readEnvironment() once and hands the result to a parser here,
// so a bad value is found at start, in one message, before anything connects.
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import dotenvSafe from "dotenv-safe";
import { z } from "zod";
import { FAKE_PAYMENT_GATEWAY_DEV_KEY } from "./fakes/development-keys";
import { isLocalHost } from "./infra/local-host";

export type Environment = Readonly<Record<string, string | undefined>>;

const projectRoot = path.resolve(__dirname, "..");

/**
 * process.env, plus `.env` when one exists (development only: images never contain one).
 * dotenv-safe checks `.env` against `.env.example` and never overrides real variables.
 */
export function readEnvironment(root: string = projectRoot): Environment {
  const envFile = path.join(root, ".env");
  if (existsSync(envFile)) {
    try {
      dotenvSafe.config({
        path: envFile,
        example: path.join(root, ".env.example"),
        allowEmptyValues: true,
        quiet: true,
      });
    } catch (error) {
      if (isMissingEnvVarsError(error)) {
        throw new ConfigError(
          error.missing.map((name) => `${name}: listed in .env.example but missing from .env`),
        );
      }
      throw error;
    }
  }
  return { ...process.env };
}

function isMissingEnvVarsError(error: unknown): error is { missing: string[] } {
  return (
    typeof error === "object" &&
    error !== null &&
    Array.isArray((error as { missing?: unknown }).missing)
  );
}

/** Thrown with every problem at once; its message never contains a variable's value. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

// Empty strings count as unset, so `LOG_FILE=` in a .env copied from .env.example means "off".
const blankAsUnset = (value: unknown) => (value === "" ? undefined : value);

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: "must be a whole number" })
      .int(
        // Stryker disable next-line ObjectLiteral: without its own error, zod 4 reports the int check with the schema's, the same words
        { error: "must be a whole number" },
      )
      .min(min, { error: `must be between ${min} and ${max}` })
      .max(max, { error: `must be between ${min} and ${max}` })
      .default(fallback),
  );

const requiredUrl = (protocols: readonly string[]) =>
  z.preprocess(
    blankAsUnset,
    z
      .string({ error: "is required" })
      .refine((value) => URL.canParse(value), { error: "must be a URL", abort: true })
      .refine((value) => protocols.includes(new URL(value).protocol), {
        error: `must use ${protocols.map((p) => p.replace(":", "://")).join(" or ")}`,
      }),
  );

const optionalText = z.preprocess(blankAsUnset, z.string().optional());

const requiredText = (max: number) =>
  z.preprocess(
    blankAsUnset,
    z
      .string({ error: "is required" })
      .max(max, { error: `must be at most ${max} characters` })
      .refine((value) => value.trim() === value, {
        error: "must not start or end with white space",
      }),
  );

// The names Express understands besides addresses (proxy-addr): loopback, link-local and
// unique-local ranges. `true` ("believe any X-Forwarded-For") is deliberately not among them.
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= bits;
}

/** A comma-separated list of proxy addresses, CIDR ranges or range names; unset = none. */
const trustedProxies = z.preprocess(
  blankAsUnset,
  z
    .string()
    .transform((value) => value.split(",").map((entry) => entry.trim()))
    .refine((entries) => entries.every(isProxyAddress), {
      error:
        "must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) " +
        "or loopback, linklocal, uniquelocal",
    })
    .optional(),
);

const MINUTE_MS = 60_000;
const DAY_S = 86_400;

/** The variables the service understands; `.env.example` lists exactly these names. */
export const environmentSchema = z.object({
  NODE_ENV: z.preprocess(
    blankAsUnset,
    z.enum(["development", "production", "test"]).default("production"),
  ),
  PORT: integer(0, 65_535, 8000),
  LOG_LEVEL: z.preprocess(
    blankAsUnset,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  LOG_FILE: optionalText,
  DATABASE_URL: requiredUrl(["postgres:", "postgresql:"]),
  PG_POOL_MAX: integer(1, 200, 10),
  PG_CONNECT_TIMEOUT_MS: integer(100, MINUTE_MS, 2000),
  PG_STATEMENT_TIMEOUT_MS: integer(100, 10 * MINUTE_MS, 5000),
  REDIS_URL: requiredUrl(["redis:", "rediss:"]),
  REDIS_COMMAND_TIMEOUT_MS: integer(10, MINUTE_MS, 500),
  REDIS_KEY_PREFIX: z.preprocess(blankAsUnset, z.string().max(64).default("orders:")),
  HEALTH_CHECK_TIMEOUT_MS: integer(50, MINUTE_MS, 1000),
  PRODUCT_API_URL: requiredUrl(["http:", "https:"]),
  PRODUCT_TIMEOUT_MS: integer(10, MINUTE_MS, 2000),
  PRODUCT_CACHE_TTL_S: integer(1, DAY_S, 60),
  RETRY_MAX_ATTEMPTS: integer(1, 10, 3),
  RETRY_BASE_DELAY_MS: integer(1, MINUTE_MS, 1000),
  RETRY_MAX_DELAY_MS: integer(1, 10 * MINUTE_MS, 30_000),
  RETRY_BUDGET_PERCENT: integer(0, 100, 20),
  PRODUCT_DEADLINE_MS: integer(10, 10 * MINUTE_MS, 10_000),
  PAYMENT_API_URL: requiredUrl(["http:", "https:"]),
  PAYMENT_API_KEY: z.preprocess(
    blankAsUnset,
    z.string({ error: "is required" }).min(8, { error: "must be at least 8 characters" }),
  ),
  PAYMENT_TIMEOUT_MS: integer(10, MINUTE_MS, 5000),
  BREAKER_FAILURE_THRESHOLD: integer(1, 1000, 5),
  BREAKER_RESET_TIMEOUT_MS: integer(100, 60 * MINUTE_MS, 60_000),
  BREAKER_SUCCESS_THRESHOLD: integer(1, 100, 2),
  SHUTDOWN_DELAY_MS: integer(0, 5 * MINUTE_MS, 5000),
  SHUTDOWN_TIMEOUT_MS: integer(0, 10 * MINUTE_MS, 30_000),
  RECONCILE_MIN_AGE_MS: integer(0, 30 * DAY_S * 1000, 60_000),
  IDEMPOTENCY_TTL_S: integer(60, 30 * DAY_S, DAY_S),
  IDEMPOTENCY_CLAIM_TIMEOUT_MS: integer(1000, 60 * MINUTE_MS, MINUTE_MS),
  AUTH_JWKS_URL: requiredUrl(["http:", "https:"]),
  AUTH_ISSUER: requiredText(512),
  AUTH_AUDIENCE: requiredText(512),
  AUTH_CLOCK_TOLERANCE_S: integer(0, 300, 5),
  AUTH_JWKS_TIMEOUT_MS: integer(100, MINUTE_MS, 2000),
  AUTH_JWKS_COOLDOWN_MS: integer(0, 60 * MINUTE_MS, 30_000),
  AUTH_TOKEN_CACHE_SIZE: integer(0, 1_000_000, 10_000),
  RATE_LIMIT_REQUESTS: integer(1, 1_000_000, 600),
  RATE_LIMIT_WINDOW_S: integer(1, DAY_S, 60),
  TRUSTED_PROXIES: trustedProxies,
  STATSD_HOST: optionalText,
  STATSD_PORT: integer(1, 65_535, 9125),
});

/** Names that must never appear in a message, a log line or a crash report. */
export const secretNames = ["PAYMENT_API_KEY"] as const;

type ParsedEnvironment = z.infer<typeof environmentSchema>;

function toConfig(env: ParsedEnvironment) {
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    log: { level: env.LOG_LEVEL, file: env.LOG_FILE },
    database: {
      url: env.DATABASE_URL,
      poolMax: env.PG_POOL_MAX,
      connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
    },
    redis: {
      url: env.REDIS_URL,
      commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
      keyPrefix: env.REDIS_KEY_PREFIX,
    },
    healthCheckTimeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
    productApi: {
      url: env.PRODUCT_API_URL,
      timeoutMs: env.PRODUCT_TIMEOUT_MS,
      cacheTtlS: env.PRODUCT_CACHE_TTL_S,
      deadlineMs: env.PRODUCT_DEADLINE_MS,
    },
    retry: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      baseDelayMs: env.RETRY_BASE_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
      budgetPercent: env.RETRY_BUDGET_PERCENT,
    },
    paymentApi: {
      url: env.PAYMENT_API_URL,
      apiKey: env.PAYMENT_API_KEY,
      timeoutMs: env.PAYMENT_TIMEOUT_MS,
    },
    breaker: {
      failureThreshold: env.BREAKER_FAILURE_THRESHOLD,
      resetTimeoutMs: env.BREAKER_RESET_TIMEOUT_MS,
      successThreshold: env.BREAKER_SUCCESS_THRESHOLD,
    },
    shutdown: { delayMs: env.SHUTDOWN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    reconcile: { minAgeMs: env.RECONCILE_MIN_AGE_MS },
    idempotency: { ttlS: env.IDEMPOTENCY_TTL_S, claimTimeoutMs: env.IDEMPOTENCY_CLAIM_TIMEOUT_MS },
    auth: {
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      clockToleranceS: env.AUTH_CLOCK_TOLERANCE_S,
      jwksTimeoutMs: env.AUTH_JWKS_TIMEOUT_MS,
      jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
      tokenCacheSize: env.AUTH_TOKEN_CACHE_SIZE,
    },
    rateLimit: { requests: env.RATE_LIMIT_REQUESTS, windowS: env.RATE_LIMIT_WINDOW_S },
    trustedProxies: env.TRUSTED_PROXIES ?? [],
    statsd: env.STATSD_HOST ? { host: env.STATSD_HOST, port: env.STATSD_PORT } : undefined,
  };
}

export type Config = DeepReadonly<ReturnType<typeof toConfig>>;

/** Parses and validates the whole environment; throws ConfigError naming every bad variable. */
export function parseConfig(env: Environment): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : problemsIn(parsed.error)),
    // Run even when some variable is bad, so one message names every problem there is.
    ...inconsistencies(parsed.success ? parsed.data : validVariables(env)),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(parsed.data));
}

/** The variables that are valid on their own, for the checks across variables. */
function validVariables(env: Environment): Partial<ParsedEnvironment> {
  const valid: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(environmentSchema.shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) valid[name] = result.data;
  }
  return valid;
}

function areValid<K extends keyof ParsedEnvironment>(
  env: Partial<ParsedEnvironment>,
  ...names: K[]
): env is Partial<ParsedEnvironment> & Pick<ParsedEnvironment, K> {
  // Stryker disable next-line MethodExpression: every rule compares its inputs with <= or >, and any comparison with an invalid (undefined) input is false, so some() adds no problem either
  return names.every((name) => env[name] !== undefined);
}

/** Values that are each valid but do not fit together; a rule runs when all its inputs are valid. */
function inconsistencies(env: Partial<ParsedEnvironment>): string[] {
  const problems: string[] = [];
  // A claim must outlive the request holding it, or a retry could take the key over while
  // the first request still runs, and both would place an order.
  if (areValid(env, "PRODUCT_DEADLINE_MS", "PAYMENT_TIMEOUT_MS", "IDEMPOTENCY_CLAIM_TIMEOUT_MS")) {
    const longestOrderRequestMs = env.PRODUCT_DEADLINE_MS + env.PAYMENT_TIMEOUT_MS;
    if (env.IDEMPOTENCY_CLAIM_TIMEOUT_MS <= longestOrderRequestMs) {
      problems.push(
        `IDEMPOTENCY_CLAIM_TIMEOUT_MS: must be more than PRODUCT_DEADLINE_MS + PAYMENT_TIMEOUT_MS ` +
          `(${longestOrderRequestMs} ms), the longest an order request can run`,
      );
    }
  }
  if (
    areValid(env, "RETRY_BASE_DELAY_MS", "RETRY_MAX_DELAY_MS") &&
    env.RETRY_BASE_DELAY_MS > env.RETRY_MAX_DELAY_MS
  ) {
    problems.push("RETRY_BASE_DELAY_MS: must not be more than RETRY_MAX_DELAY_MS");
  }
  // Calls in flight when a breaker opens go on until their timeout: a breaker that half-opens
  // sooner sends its trial into the load that opened it, and the upstream never gets its rest.
  // Both upstream breakers are built from the BREAKER_* settings.
  if (areValid(env, "BREAKER_RESET_TIMEOUT_MS", "PAYMENT_TIMEOUT_MS", "PRODUCT_TIMEOUT_MS")) {
    const outlasted = (
      [
        ["PAYMENT_TIMEOUT_MS", env.PAYMENT_TIMEOUT_MS],
        ["PRODUCT_TIMEOUT_MS", env.PRODUCT_TIMEOUT_MS],
      ] as const
    ).filter(([, timeoutMs]) => env.BREAKER_RESET_TIMEOUT_MS <= timeoutMs);
    if (outlasted.length > 0) {
      const names = outlasted.map(([name, timeoutMs]) => `${name} (${timeoutMs} ms)`).join(" and ");
      const what =
        outlasted.length === 1
          ? "the call timeout of an upstream its breakers guard"
          : "the call timeouts of the upstreams its breakers guard";
      problems.push(`BREAKER_RESET_TIMEOUT_MS: must be more than ${names}, ${what}`);
    }
  }
  if (env.NODE_ENV === "production") problems.push(...productionProblems(env));
  return problems;
}

/** What a development setup may do and production may not. */
function productionProblems(env: Partial<ParsedEnvironment>): string[] {
  const problems: string[] = [];
  // The API key and the customers' payment tokens travel to PAYMENT_API_URL; the keys that
  // decide who a caller is come from AUTH_JWKS_URL (whoever can alter that answer can mint
  // tokens). The URLs themselves are never printed: they may carry credentials.
  for (const name of ["PAYMENT_API_URL", "AUTH_JWKS_URL"] as const) {
    const value = env[name];
    if (value === undefined) continue;
    const url = new URL(value);
    if (url.protocol !== "https:" && !isLocalHost(url.hostname)) {
      problems.push(
        `${name}: must use https:// when NODE_ENV=production, unless its host is loopback or cluster-local`,
      );
    }
  }
  // It is in .env.example and the repository: known to everyone, so it is no secret.
  if (areValid(env, "PAYMENT_API_KEY") && env.PAYMENT_API_KEY === FAKE_PAYMENT_GATEWAY_DEV_KEY) {
    problems.push("PAYMENT_API_KEY: is the fake gateway's development key; set the real one");
  }
  return problems;
}

const migrationSchema = environmentSchema.pick({ DATABASE_URL: true, LOG_LEVEL: true });

/** The `migrate` admin process needs only the database: it must not demand the API key. */
export function parseMigrationConfig(env: Environment) {
  const parsed = parseOrThrow(migrationSchema, env);
  return deepFreeze({ databaseUrl: parsed.DATABASE_URL, logLevel: parsed.LOG_LEVEL });
}

function parseOrThrow<S extends z.ZodType>(schema: S, env: Environment): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(problemsIn(result.error));
  return result.data;
}

function problemsIn(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
