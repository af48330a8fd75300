/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // swc strips types without type-checking (tsc --noEmit does that), which keeps the suite fast.
  transform: { "^.+\\.ts$": ["@swc/jest"] },
};
