// What every e2e test file shares: its own database (cloned from the migrated template), the
// two fake upstreams as real processes, and the environment a service process starts with.
import {
  createTestDatabase,
  REDIS_URL,
  uniqueRedisPrefix,
  type TestDatabase,
} from "../support/backing-services";
import {
  killLeftovers,
  ServiceProcess,
  startFakePaymentService,
  startFakeProductService,
  type FakeProcess,
} from "../support/processes";

export const E2E_PAYMENT_API_KEY = "e2e-payment-key-0123456789";

export interface E2eStack {
  readonly database: TestDatabase;
  readonly products: FakeProcess;
  readonly payments: FakeProcess;
  /** A complete, valid service environment (own Redis prefix) with `overrides` on top. */
  environment(overrides?: Record<string, string>): Record<string, string>;
}

/**
 * Registers the file's beforeAll/afterAll: database and fakes up before the first test, and
 * after the last one every process killed and the database dropped. Faults are reset after
 * each test so no knob leaks into the next one.
 */
export function useE2eStack(): E2eStack {
  let parts: Omit<E2eStack, "environment"> | undefined;
  const current = () => {
    if (!parts) throw new Error("the e2e stack is not up (use it inside a test or hook)");
    return parts;
  };

  beforeAll(async () => {
    const [database, products, payments] = await Promise.all([
      createTestDatabase(),
      startFakeProductService(),
      startFakePaymentService(E2E_PAYMENT_API_KEY),
    ]);
    parts = { database, products, payments };
  });
  afterEach(async () => {
    if (!parts) return;
    await Promise.all([parts.products.resetFaults(), parts.payments.resetFaults()]);
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
    environment: (overrides = {}) => ({
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: current().database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      PRODUCT_API_URL: current().products.url,
      PAYMENT_API_URL: current().payments.url,
      PAYMENT_API_KEY: E2E_PAYMENT_API_KEY,
      SHUTDOWN_DELAY_MS: "0",
      SHUTDOWN_TIMEOUT_MS: "5000",
      ...overrides,
    }),
  };
}

/** For afterEach: kills the service processes a test left running (the fakes stay up). */
export function killServiceProcesses(): Promise<void> {
  return killLeftovers((child) => child instanceof ServiceProcess);
}
