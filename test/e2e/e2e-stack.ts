// What every e2e test file shares: its own database (cloned from the migrated template), the
// fake upstreams and the development identity provider as real processes, and the environment
// a service process starts with (pointed at that provider, so every /orders call needs a token).
import {
  createTestDatabase,
  REDIS_URL,
  uniqueRedisPrefix,
  type TestDatabase,
} from "../support/backing-services";
import {
  killLeftovers,
  ServiceProcess,
  startFakeIdentityProvider,
  startFakePaymentService,
  startFakeProductService,
  type FakeProcess,
  type IdentityProviderProcess,
} from "../support/processes";
import { E2E_CUSTOMER } from "./http-client";

export const E2E_PAYMENT_API_KEY = "e2e-payment-key-0123456789";
/** High enough never to bite: the rate limit has tests of its own. */
export const E2E_RATE_LIMIT_REQUESTS = "1000000";

export interface E2eStack {
  readonly database: TestDatabase;
  readonly products: FakeProcess;
  readonly payments: FakeProcess;
  readonly identity: IdentityProviderProcess;
  /** A complete, valid service environment (own Redis prefix) with `overrides` on top. */
  environment(overrides?: Record<string, string>): Record<string, string>;
  /** `{ Authorization: "Bearer <token>" }` for the customer (the token is kept per customer). */
  authorization(customerId?: string): Promise<Record<string, string>>;
}

/**
 * Registers the file's beforeAll/afterAll: database and fakes up before the first test, and
 * after the last one every process killed and the database dropped. Faults are reset after
 * each test so no knob leaks into the next one.
 */
export function useE2eStack(): E2eStack {
  let parts: Omit<E2eStack, "environment" | "authorization"> | undefined;
  const current = () => {
    if (!parts) throw new Error("the e2e stack is not up (use it inside a test or hook)");
    return parts;
  };

  beforeAll(async () => {
    const [database, products, payments, identity] = await Promise.all([
      createTestDatabase(),
      startFakeProductService(),
      startFakePaymentService(E2E_PAYMENT_API_KEY),
      startFakeIdentityProvider(),
    ]);
    parts = { database, products, payments, identity };
  });
  afterEach(async () => {
    if (!parts) return;
    await Promise.all([
      parts.products.resetFaults(),
      parts.payments.resetFaults(),
      parts.identity.resetFaults(),
    ]);
  });
  afterAll(async () => {
    await killLeftovers();
    await parts?.database.drop();
  });

  return {
    get database() {
      return current().database;
    },
    get products() {
      return current().products;
    },
    get payments() {
      return current().payments;
    },
    get identity() {
      return current().identity;
    },
    environment: (overrides = {}) => ({
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: current().database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      PRODUCT_API_URL: current().products.url,
      PAYMENT_API_URL: current().payments.url,
      PAYMENT_API_KEY: E2E_PAYMENT_API_KEY,
      ...current().identity.environment,
      RATE_LIMIT_REQUESTS: E2E_RATE_LIMIT_REQUESTS,
      SHUTDOWN_DELAY_MS: "0",
      SHUTDOWN_TIMEOUT_MS: "5000",
      ...overrides,
    }),
    authorization: async (customerId = E2E_CUSTOMER) => ({
      Authorization: await current().identity.bearer(customerId),
    }),
  };
}

/** For afterEach: kills the service processes a test left running (the fakes stay up). */
export function killServiceProcesses(): Promise<void> {
  return killLeftovers((child) => child instanceof ServiceProcess);
}
