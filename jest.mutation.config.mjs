// The jest config of the mutation run (stryker.config.mjs), not of `npm test`.
//
// Stryker runs jest once per mutant with --findRelatedTests on the mutated file, so a test
// file runs for every mutant of every source file it imports, however indirectly. Tests that
// start the whole service (test/support/test-stack.ts) import every module, config.ts and its
// ~100 mutants evaluated at load time (which run every related test) included: with them the
// run would take hours. So the unit tests, plus the integration tests that drive one module
// against the real Postgres or Redis (what no unit test can prove: the SQL, the Lua of the
// limiter, a JWKS over HTTP), and nothing that builds the service.
//
// Each project names Stryker's node environment itself: jest does not pass the top-level
// testEnvironment Stryker sets down to `projects`, and without it no test reports which
// mutants it covers (coverageAnalysis "perTest").
import base from "./jest.config.js";

const [unit, , integration] = base.projects;
const strykerNodeEnvironment = "@stryker-mutator/jest-runner/jest-env/node";

/** Integration tests of a single module, each against a real backing service. */
const focusedIntegrationTests = [
  "idempotency-store", // Postgres: claims, replays, takeovers, expiry
  "rate-limit", // Redis: the shared limiter, failing open
  "key-set-resolver", // HTTP: the identity provider's JWKS
];

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...unit,
      testEnvironment: strykerNodeEnvironment,
      // A mutant that leaves a unit test waiting for good (a middleware that no longer calls
      // next(), a promise nobody settles) fails it here, in 5 s, instead of running into
      // Stryker's timeout, which kills and restarts the worker. Unit tests take milliseconds.
      testTimeout: 5_000,
      // Tests of what is not mutated (the OpenAPI document, tracing, the README): none tests a
      // mutated module, and some spawn processes.
      testPathIgnorePatterns: [
        "/node_modules/",
        "/test/unit/openapi",
        "/test/unit/telemetry/",
        "/test/unit/readme\\.test\\.ts$",
      ],
    },
    {
      ...integration,
      testEnvironment: strykerNodeEnvironment,
      testMatch: focusedIntegrationTests.map(
        (name) => `<rootDir>/test/integration/${name}.test.ts`,
      ),
      // The OpenAPI hook checks answers of the whole service (test-stack.ts), which none of
      // these builds; loading it per file would only slow every mutant down.
      setupFilesAfterEnv: [],
      // global-setup.ts, after dropping what runs killed at a timeout left behind.
      globalSetup: "<rootDir>/test/integration/mutation-global-setup.ts",
    },
  ],
};
