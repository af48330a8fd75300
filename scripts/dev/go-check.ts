// The Go compile check before any update: app/build.sh, the one way the
// binary is built (the Dockerfile runs it too), into a scratch file. It shows
// a compile error at once, where the image build would show it only after the
// engine started the update. Measured on a loaded 2-core machine (docs/local.md):
// 1.7-3.4 s after a one-line change, where `go build ./...` took 10-23 s
// (it builds the tests' helpers and links with debug information).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface CheckResult {
  ok: boolean;
  /** The compiler's messages, when it failed. */
  output: string;
  ms: number;
}

export function goBuild(appDir: string, signal?: AbortSignal): Promise<CheckResult> {
  const start = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-dev-build-"));
  return new Promise((resolve) => {
    execFile(path.join(appDir, "build.sh"), [path.join(scratch, "api")], { cwd: appDir, signal, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      fs.rmSync(scratch, { recursive: true, force: true });
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() || (error?.message ?? ""), ms: Date.now() - start });
    });
  });
}
