/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The checks against a real control plane: npm run test:cluster (jest.cluster.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/cluster/"],
  // swc strips types without type-checking (tsc --noEmit does that), which keeps the suite fast.
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  // Generous: a loaded CI machine must not fail a test on time alone. Speed is
  // measured elsewhere (docs/testing.md), never by a unit test's timeout.
  testTimeout: 60_000,
  // One evaluation of each committed stack per run, shared across files (test/helpers/run-cache.ts).
  globalSetup: "<rootDir>/test/helpers/run-cache-setup.ts",
  globalTeardown: "<rootDir>/test/helpers/run-cache-teardown.ts",
};
