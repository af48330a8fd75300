// What the image build stamps into the binary: the last commit that touched
// app/, so commits elsewhere in the repository do not change the image.
import { execFileSync } from "node:child_process";

export function appCommit(appDir: string): string {
  try {
    const sha = execFileSync("git", ["log", "-1", "--format=%H", "--", "."], { cwd: appDir, encoding: "utf8" }).trim();
    return sha === "" ? "unknown" : sha;
  } catch {
    return "unknown";
  }
}
