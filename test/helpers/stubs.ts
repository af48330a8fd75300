// Runs a script against stub executables that record their arguments, on a
// PATH that holds only the stubs and the few system tools the script uses.
// (The local stack's scripts have their own stateful fake machine:
// local-world.ts.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every stub call, "tool args...", in order. */
  calls: string[];
}

export interface StubbedRun {
  /** Repository-relative path of the script. */
  script: string;
  args?: string[];
  /** Stub executables: name -> bash body; each call is logged first. */
  stubs: Record<string, string>;
  /** Real tools linked onto the PATH beside the stubs. */
  tools: string[];
  /** Environment; "<stubs>" in a value stands for the stub directory. */
  env?: Record<string, string>;
}

/** Runs a script with a PATH of only the stubs and the named real tools. */
export function runWithStubs(run: StubbedRun): ScriptRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-stubs-"));
  const log = path.join(dir, "calls.log");
  for (const tool of new Set(["bash", ...run.tools])) {
    const real = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (real === "") {
      throw new Error(`${tool} is not installed; the stubbed script needs it`);
    }
    fs.symlinkSync(real, path.join(dir, tool));
  }
  for (const [name, body] of Object.entries(run.stubs)) {
    fs.writeFileSync(path.join(dir, name), `#!${path.join(dir, "bash")}\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  }
  const env = Object.fromEntries(Object.entries(run.env ?? {}).map(([k, v]) => [k, v.replaceAll("<stubs>", dir)]));
  const result = spawnSync(path.join(dir, "bash"), [path.join(root, run.script), ...(run.args ?? [])], {
    encoding: "utf8",
    env: { PATH: dir, HOME: dir, ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}
