// promtool, Prometheus' own rule checker and unit-test runner, built at a
// pinned version by `npm run tools`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

const binary = path.join(__dirname, "..", "..", ".tools", "bin", "promtool");

export interface PromtoolRun {
  code: number | null;
  output: string;
}

/** Runs promtool with `files` (name -> YAML document) written to a temporary folder, which is its working directory. */
export function promtool(args: string[], files: Record<string, unknown>): PromtoolRun {
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} is missing: run npm run tools`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-promtool-"));
  try {
    for (const [name, doc] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), stringify(doc, { lineWidth: 0 }));
    }
    const r = spawnSync(binary, args, { cwd: dir, encoding: "utf8" });
    if (r.error) {
      throw r.error;
    }
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
