// Mutation testing of the TypeScript, one folder at a time
// (scripts/mutation/run.sh; docs/testing.md): Stryker makes one small bug at a
// time in the folder's files and runs the jest tests that cover it; a mutant
// that no test notices is a rule nobody pins.
//
// MUTATE_FOLDER picks the folder. Every folder but scripts/ is judged by its
// own tests, static mutants (module-level code) included: the policy rules by
// test/policy, the report by test/report, and components/ group by group
// (MUTATE_FOLDER=components/<group>), each group of files by the tests that
// import them or the component that declares them. A file is specified by its
// own cases; every stack test also runs most of components/, but through the
// whole program under mocks, seconds per mutant, and code that runs both when
// a test file loads (or in its beforeAll, where most stack tests declare
// their resources) and in a test body counts as static, so with ignoreStatic
// the stack tests that would kill it never ran and the score under-reported.
// scripts/*.ts are judged by every test, static mutants left out.
import process from "node:process";

import { componentGroups } from "./scripts/mutation/component-groups.mjs";

const folders = {
  ...Object.fromEntries(Object.entries(componentGroups).map(([group, g]) => [`components/${group}`, { ...g, ignoreStatic: false }])),
  policy: { mutate: ["policy/**/*.ts", "!policy/index.ts"], tests: ["<rootDir>/test/policy/**/*.test.ts"], ignoreStatic: false },
  report: { mutate: ["report/**/*.ts"], tests: ["<rootDir>/test/report/**/*.test.ts"], ignoreStatic: false },
  scripts: { mutate: ["scripts/*.ts"], tests: ["<rootDir>/test/**/*.test.ts"], ignoreStatic: true },
};
const name = process.env.MUTATE_FOLDER ?? "";
const folder = folders[name];
if (folder === undefined) {
  throw new Error(`MUTATE_FOLDER must be one of ${Object.keys(folders).join(", ")}, not "${name}"`);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "jest",
  jest: {
    configFile: "jest.config.js",
    // Every folder is a root, so that jest's --findRelatedTests sees the whole
    // import graph (index.ts, test/helpers); testMatch picks the folder's tests.
    config: { roots: ["<rootDir>"], testMatch: folder.tests, modulePathIgnorePatterns: ["<rootDir>/app/", "<rootDir>/local/"] },
    enableFindRelatedTests: true,
  },
  // Each mutant runs only the tests that reached its code in the first run.
  coverageAnalysis: "perTest",
  mutate: folder.mutate,
  // A static mutant (module-level code: the settings schema, a rule's level,
  // and whatever a test file's beforeAll runs) runs every test of the folder
  // instead of the covering ones: seconds with a group's own tests. In
  // scripts/ that would be the whole suite for each, so they are left out.
  ignoreStatic: folder.ignoreStatic,
  // Only mutants in changed code, or covered by changed tests, run again.
  incremental: true,
  incrementalFile: `reports/mutation/${name}/stryker-incremental.json`,
  // The machine is shared and jest with the Pulumi mocks is heavy.
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${name}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  // The sandbox sits in a folder git ignores; components/app-source.ts needs a repository.
  buildCommand: "scripts/mutation/sandbox-repo.sh",
  // What the tests never read: Go build output, the cluster binaries, earlier reports.
  ignorePatterns: ["/app/bin", "/.tools/cluster", "/reports", "/.pulumi"],
  // A test that starts processes (kube-score, git) takes seconds, more on a
  // loaded machine; a mutant that only timed out counts as killed, so be generous.
  timeoutMS: 60_000,
  cleanTempDir: "always",
};
