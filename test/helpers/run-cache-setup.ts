// jest globalSetup: a fresh folder for this run's shared evaluations (run-cache.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCacheVariable } from "./run-cache";

export default function setup(): void {
  process.env[runCacheVariable] = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-test-run-"));
}
