/**
 * The checks against a real control plane (test/cluster), run by
 * scripts/cluster/test.sh (npm run test:cluster) once the plane is up; the
 * default jest config leaves them out.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/cluster"],
  testMatch: ["**/*.cluster.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  // One worker per stack: most of a stack's time is spent waiting on the
  // control plane (a namespace's deletion waits half the pods' grace period).
  maxWorkers: 3,
  // The checks' own deadlines (90 s per wait) report what they saw first.
  testTimeout: 300_000,
};
