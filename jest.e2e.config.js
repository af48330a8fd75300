/* global process */
/**
 * The checks on real nodes (test/e2e), run by scripts/e2e/test.sh
 * (npm run test:e2e) once the nodes are up; the default jest config leaves
 * them out.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.ts"],
  // The canary and autoscaling checks (*delivery.e2e.ts) need the delivery
  // controllers (scripts/delivery/build.sh): npm run test:delivery runs them
  // alone, with GOAPI_E2E_DELIVERY=1.
  testPathIgnorePatterns: process.env.GOAPI_E2E_DELIVERY === "1" ? ["/node_modules/"] : ["/node_modules/", "delivery\\.e2e\\.ts$"],
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  // One stack at a time: the rollouts under load count every failed request,
  // and two cores shared by two kubelets leave no room for a second stack's
  // pods starting meanwhile.
  maxWorkers: 1,
  // The checks' own deadlines report what they saw first.
  testTimeout: 600_000,
};
