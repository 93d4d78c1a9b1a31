// Mutation testing of the patterns the template teaches (issue 14): a test that still passes
// when the code is broken proves nothing. `npm run test:mutation` runs it (Node 22+ for
// Stryker 10, so Node 24 here); scripts/check-mutation-score.ts then holds each file to 80%.
// @ts-check
import { tmpdir } from "node:os";
import path from "node:path";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: "jest",
  jest: {
    projectType: "custom",
    configFile: "jest.mutation.config.mjs",
    // Each mutant runs only the test files that import its file (and of those, only the
    // tests that reached the mutant): what keeps the run within minutes.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: "perTest",
  mutate: [
    "src/resilience/circuit-breaker.ts",
    "src/resilience/backoff.ts",
    "src/resilience/retry-budget.ts",
    "src/resilience/upstream-errors.ts",
    "src/clients/retrying-product-catalog.ts",
    "src/clients/cached-product-catalog.ts",
    "src/http/idempotent-order-placement.ts",
    "src/idempotency/idempotency-store.ts",
    "src/orders/pending-order-charger.ts",
    "src/orders/order-reconciler.ts",
    "src/auth/token-verifier.ts",
    "src/auth/key-set-resolver.ts",
    "src/http/authenticate.ts",
    "src/limits/shared-rate-limiter.ts",
    "src/limits/batched-rate-limiter.ts",
    "src/http/rate-limit.ts",
    "src/lifecycle/readiness.ts",
    "src/lifecycle/graceful-shutdown.ts",
    "src/http/problem.ts",
    "src/http/problem-responder.ts",
    "src/orders/cursor.ts",
    "src/config.ts",
  ],
  // Two cores, shared: one jest per core.
  concurrency: 2,
  // The integration tests wait on real Postgres, Redis and sockets; on a loaded machine a
  // mutant that merely ran slow must not be called a timeout.
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // The score table and each surviving mutant; not the list of the ~600 tests.
  clearTextReporter: {
    allowColor: false,
    logTests: false,
    reportTests: false,
    reportMutants: true,
  },
  // The score over all files; scripts/check-mutation-score.ts holds each file to 80%.
  thresholds: { high: 90, low: 80, break: 90 },
  // Outside the checkout: the sandboxes are copies of src/ and test/, which `eslint .`, jest
  // and prettier run in the same tree at the same time would otherwise pick up.
  tempDirName: path.join(tmpdir(), "order-service-stryker"),
  // Every run starts from scratch: an incremental report would make CI's score depend on
  // what an earlier run left behind.
  incremental: false,
};

export default config;
