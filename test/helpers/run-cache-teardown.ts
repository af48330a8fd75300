// jest globalTeardown: removes this run's folder of shared evaluations (run-cache.ts).
import * as fs from "node:fs";
import { runCacheVariable } from "./run-cache";

export default function teardown(): void {
  const dir = process.env[runCacheVariable];
  if (dir !== undefined && dir !== "") {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
