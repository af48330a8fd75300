// Mutation testing of the TypeScript, one folder at a time
// (scripts/mutation/run.sh; docs/testing.md): Stryker makes one small bug at a
// time in the folder's files and runs the jest tests that cover it; a mutant
// that no test notices is a rule nobody pins.
//
// MUTATE_FOLDER picks the folder. The policy rules and the report are judged
// by their own tests only (test/policy, test/report): every stack test also
// runs the rules, but a rule is specified by its own cases, and each stack
// test runs the whole program, seconds per mutant. The stack settings
// (components/settings.ts and the files that hold its rules) are judged the
// same way by their own tests, schema included; the rest of components/ and
// scripts/ by every test.
import process from "node:process";

const everyTest = ["<rootDir>/test/**/*.test.ts"];
const folders = {
  components: { mutate: ["components/**/*.ts"], tests: everyTest, ignoreStatic: true },
  settings: {
    mutate: ["components/settings.ts", "components/observability-settings.ts", "components/delivery-settings.ts", "components/cidr-setting.ts", "components/config-messages.ts"],
    tests: ["settings", "settings-bounds", "settings-rules", "observability-settings", "delivery-settings", "app-contract"].map((t) => `<rootDir>/test/${t}.test.ts`),
    ignoreStatic: false,
  },
  policy: { mutate: ["policy/**/*.ts", "!policy/index.ts"], tests: ["<rootDir>/test/policy/**/*.test.ts"], ignoreStatic: false },
  report: { mutate: ["report/**/*.ts"], tests: ["<rootDir>/test/report/**/*.test.ts"], ignoreStatic: false },
  scripts: { mutate: ["scripts/*.ts"], tests: everyTest, ignoreStatic: true },
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
  // A static mutant (module-level code: the settings schema, a rule's level)
  // runs every test of the folder's files instead of the covering ones. In
  // components/ and scripts/ that is the whole program under mocks for each
  // of them, minutes apiece on this machine; test/settings-bounds.test.ts
  // pins the schema's bounds instead (docs/testing.md).
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
