// @swc/jest strips types (tsc --noEmit in `npm run lint` does the type checking) and
// also turns the ESM-only dependencies (p-retry, node-pg-migrate, ...) into CommonJS,
// because jest's module loader cannot require() ES modules on Node 20 or 24.
const swc = [
  "@swc/jest",
  {
    jsc: { target: "es2023", parser: { syntax: "typescript" } },
    module: { type: "commonjs" },
  },
];
const esmOnlyPackages = ["p-retry", "is-network-error", "node-pg-migrate", "jose"];

const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j|mj)s$": swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join("|")})/)`],
  moduleFileExtensions: ["ts", "js", "mjs", "json"],
  // Generous: these tests talk to real Postgres, Redis and processes on a small, shared
  // 2-core machine. Timing claims are asserted explicitly where they matter.
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...shared,
      displayName: "manifests",
      testMatch: ["<rootDir>/test/manifests/**/*.test.ts"],
    },
    {
      ...shared,
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/support/contract-setup.ts"],
      globalSetup: "<rootDir>/test/support/global-setup.ts",
      globalTeardown: "<rootDir>/test/support/global-teardown.ts",
    },
    {
      ...shared,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/global-setup.ts",
      globalTeardown: "<rootDir>/test/support/global-teardown.ts",
    },
  ],
};
