// The real thing: the built service (dist/main.js), the built fake upstreams and the
// development identity provider, each a child process with an explicit environment and the
// production log level.
import { spawnNode, cleanEnvironment, type Child } from "./child-processes";
import { waitForStatus } from "./http-wait";
import { authEnvironment, startIdentityProvider, type IdentityProvider } from "./identity-provider";
import { freePort } from "./ports";
import { BENCH_REDIS_PREFIX, BENCH_REDIS_URL } from "./redis-keys";

/** The service's default pool size; the minimal baseline gets the same. */
export const PG_POOL_MAX = 10;
/** The service's default AUTH_TOKEN_CACHE_SIZE (verified tokens kept until their exp). */
export const TOKEN_CACHE_SIZE = 10_000;
/** The service's default AUTH_CLOCK_TOLERANCE_S; the baseline verifies with the same. */
export const CLOCK_TOLERANCE_S = 5;
export const PAYMENT_API_KEY = "bench-fake-payment-key";

export interface Upstreams {
  readonly productUrl: string;
  readonly paymentUrl: string;
  readonly identity: IdentityProvider;
}

export interface RunningServer {
  readonly child: Child;
  readonly url: string;
}

async function startFake(name: string, script: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnNode(name, [script], {
    env: cleanEnvironment({
      PORT: String(port),
      LOG_LEVEL: "warn",
      FAKE_PAYMENT_API_KEY: PAYMENT_API_KEY,
    }),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/_control`, { child });
  return { child, url };
}

export async function startUpstreams(): Promise<Upstreams> {
  const [products, payments, identity] = await Promise.all([
    startFake("fake product service", "dist/fakes/product-service.js"),
    startFake("fake payment service", "dist/fakes/payment-service.js"),
    startIdentityProvider(),
  ]);
  return { productUrl: products.url, paymentUrl: payments.url, identity };
}

/** Everything a service process of this run is started with. */
export interface ServiceSetup {
  readonly databaseUrl: string;
  readonly upstreams: Upstreams;
  /** Where metrics go (a sink of the bench's); unset = metrics off (BENCH_STATSD=0). */
  readonly statsdPort?: number;
  /** NODE_OPTIONS for the service only (BENCH_SERVICE_NODE_OPTIONS), e.g. V8 heap flags. */
  readonly nodeOptions?: string;
}

/**
 * `overrides` changes a setting for one service process (AUTH_TOKEN_CACHE_SIZE=0 for the
 * service that verifies every token).
 */
export function serviceEnvironment(
  setup: ServiceSetup,
  port: number,
  overrides: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const { databaseUrl, upstreams } = setup;
  // Every name the service reads is set, so a developer's .env (merged by dotenv-safe for
  // names that are unset) cannot change what is measured.
  return cleanEnvironment({
    NODE_ENV: "production",
    PORT: String(port),
    LOG_LEVEL: "info",
    LOG_FILE: "",
    DATABASE_URL: databaseUrl,
    PG_POOL_MAX: String(PG_POOL_MAX),
    REDIS_URL: BENCH_REDIS_URL,
    REDIS_KEY_PREFIX: BENCH_REDIS_PREFIX,
    PRODUCT_API_URL: upstreams.productUrl,
    PAYMENT_API_URL: upstreams.paymentUrl,
    PAYMENT_API_KEY,
    SHUTDOWN_DELAY_MS: "0",
    SHUTDOWN_TIMEOUT_MS: "5000",
    ...authEnvironment(upstreams.identity),
    AUTH_CLOCK_TOLERANCE_S: String(CLOCK_TOLERANCE_S),
    AUTH_JWKS_TIMEOUT_MS: "2000",
    AUTH_JWKS_COOLDOWN_MS: "30000",
    AUTH_TOKEN_CACHE_SIZE: String(TOKEN_CACHE_SIZE),
    // High enough never to bite: the bench measures the service, not the limit.
    RATE_LIMIT_REQUESTS: "1000000",
    RATE_LIMIT_WINDOW_S: "60",
    TRUSTED_PROXIES: "",
    STATSD_HOST: setup.statsdPort ? "127.0.0.1" : "",
    STATSD_PORT: String(setup.statsdPort ?? 9125),
    ...(setup.nodeOptions ? { NODE_OPTIONS: setup.nodeOptions } : {}),
    ...overrides,
  });
}

/** What `npm start` and the image run: the OpenTelemetry preload, then the service. */
export const SERVICE_COMMAND = [
  "--max-semi-space-size=8",
  "--require",
  "./dist/telemetry.js",
  "dist/main.js",
];

/**
 * Starts the service as `npm start` does and waits until /health/startup answers 200. `root`
 * is the checkout whose build runs: this one by default (bench/compare.ts passes another).
 */
export async function startService(
  setup: ServiceSetup,
  name = "service",
  overrides: Record<string, string> = {},
  root?: string,
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnNode(name, SERVICE_COMMAND, {
    env: serviceEnvironment(setup, port, overrides),
    cwd: root,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/health/startup`, { child });
  return { child, url };
}
