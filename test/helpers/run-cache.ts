// One evaluation of each committed stack per jest run, shared by the test
// files that read it (stacks, monitoring, alert rules, PromQL, local names):
// each evaluation loads the whole program under mocks, about a second of CPU.
// jest's globalSetup (test/helpers/run-cache-setup.ts) makes a folder for
// this run only and names it in GOAPI_TEST_RUN_CACHE; every file gets its own
// copy, parsed from JSON, so no file sees another's changes, and no run ever
// sees an earlier run's program.
import * as fs from "node:fs";
import * as path from "node:path";

export const runCacheVariable = "GOAPI_TEST_RUN_CACHE";

/**
 * The folder of this run's cache, or undefined when there is none: outside
 * jest's globalSetup, and under Stryker, whose per-test coverage must see
 * every test that runs the program actually run it (a test served from the
 * cache would never be run against the mutants it could kill).
 */
function cacheDir(): string | undefined {
  const dir = process.env[runCacheVariable];
  if (dir === undefined || dir === "" || process.env.STRYKER_MUTATOR_WORKER !== undefined || !fs.existsSync(dir)) {
    return undefined;
  }
  return dir;
}

/** compute()'s value for key, once per run; always a fresh copy through JSON while the cache is on. */
export async function cachedForRun<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const dir = cacheDir();
  if (dir === undefined) {
    return compute();
  }
  const file = path.join(dir, `${encodeURIComponent(key)}.json`);
  if (!fs.existsSync(file)) {
    const text = JSON.stringify(await compute());
    // Written whole, then renamed: a file in another worker never reads half of it.
    const partial = `${file}.${String(process.pid)}.partial`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}
