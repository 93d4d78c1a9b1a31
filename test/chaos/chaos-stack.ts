// What a chaos run stands on: its own database, Postgres and Redis each behind a TCP proxy
// the fault schedule can cut, the fake upstreams and the development identity provider as
// processes, and two supervised replicas of the built service that authenticate every caller
// against that provider. The template database must exist (jest's global setup, or
// run-chaos.ts).
import {
  ADMIN_DATABASE_URL,
  createTestDatabase,
  REDIS_URL,
  uniqueRedisPrefix,
  type TestDatabase,
} from "../support/backing-services";
import {
  killLeftovers,
  startFakeIdentityProvider,
  startFakePaymentService,
  startFakeProductService,
  type FakeProcess,
  type IdentityProviderProcess,
} from "../support/processes";
import { TcpProxy } from "../support/tcp-proxy";
import { freePort, Replica } from "./replica";

const PAYMENT_API_KEY = "chaos-payment-key-0123456789";
// Each client mints its token once, before the load: it must outlive the longest run
// (`npm run chaos -- --seconds 3600` plus settling), so the provider's longest lifetime.
const TOKEN_TTL_S = "86400";

/** Short timeouts, so every fault resolves within a second or two (see DESIGN.md's table). */
export const REPLICA_SETTINGS: Readonly<Record<string, string>> = {
  NODE_ENV: "test",
  LOG_LEVEL: "info",
  PAYMENT_API_KEY,
  PAYMENT_TIMEOUT_MS: "500",
  PRODUCT_TIMEOUT_MS: "500",
  PRODUCT_DEADLINE_MS: "2000",
  // Must exceed PRODUCT_DEADLINE_MS + PAYMENT_TIMEOUT_MS (config refuses it otherwise).
  IDEMPOTENCY_CLAIM_TIMEOUT_MS: "4000",
  BREAKER_FAILURE_THRESHOLD: "5",
  // Must exceed both call timeouts.
  BREAKER_RESET_TIMEOUT_MS: "1500",
  RETRY_BASE_DELAY_MS: "20",
  RETRY_MAX_DELAY_MS: "200",
  PG_CONNECT_TIMEOUT_MS: "1000",
  HEALTH_CHECK_TIMEOUT_MS: "500",
  SHUTDOWN_DELAY_MS: "0",
  SHUTDOWN_TIMEOUT_MS: "5000",
  // Eight clients from one address must never meet a rate limit meant for real callers.
  RATE_LIMIT_REQUESTS: "1000000",
};

export interface ChaosStack {
  readonly database: TestDatabase;
  readonly postgresProxy: TcpProxy;
  readonly redisProxy: TcpProxy;
  readonly products: FakeProcess;
  readonly payments: FakeProcess;
  /** Signs the clients' tokens; the replicas verify them against its JWKS. */
  readonly identity: IdentityProviderProcess;
  readonly replicas: readonly Replica[];
  /** The replicas' environment with DATABASE_URL on the real server (for reconcile). */
  readonly directEnvironment: Record<string, string>;
  close(): Promise<void>;
}

function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${proxy.port}`;
  return proxied.href;
}

export async function startChaosStack(replicaCount = 2): Promise<ChaosStack> {
  const postgres = new URL(ADMIN_DATABASE_URL);
  const redis = new URL(REDIS_URL);
  const [database, postgresProxy, redisProxy, products, payments, identity] = await Promise.all([
    createTestDatabase(),
    TcpProxy.start(postgres.hostname, Number(postgres.port || 5432)),
    TcpProxy.start(redis.hostname, Number(redis.port || 6379)),
    startFakeProductService(),
    startFakePaymentService(PAYMENT_API_KEY),
    startFakeIdentityProvider({ FAKE_IDP_TOKEN_TTL_S: TOKEN_TTL_S }),
  ]);
  const directEnvironment = {
    ...REPLICA_SETTINGS,
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    PRODUCT_API_URL: products.url,
    PAYMENT_API_URL: payments.url,
    ...identity.environment,
  };
  const replicaEnvironment = {
    ...directEnvironment,
    DATABASE_URL: throughProxy(database.url, postgresProxy),
    REDIS_URL: throughProxy(REDIS_URL, redisProxy),
  };
  const replicas: Replica[] = [];
  for (let i = 0; i < replicaCount; i += 1) {
    replicas.push(new Replica(`replica-${i + 1}`, await freePort(), replicaEnvironment));
  }
  const close = async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await killLeftovers();
    await Promise.all([postgresProxy.close(), redisProxy.close()]);
    await database.drop();
  };
  try {
    await Promise.all(replicas.map((replica) => replica.start()));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    database,
    postgresProxy,
    redisProxy,
    products,
    payments,
    identity,
    replicas,
    directEnvironment,
    close,
  };
}
