// Runs the local scripts against stub docker, kind, node, curl and pulumi
// executables that record their arguments, on a PATH that holds only the
// stubs and the few system tools the scripts use.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const systemTools = ["bash", "sed", "grep", "seq", "sleep", "cat", "mkdir", "rm", "dirname", "tr", "env"];

// Each stub logs "name args..." and answers from STUB_* variables.
const stubs: Record<string, string> = {
  docker: `case "$1 $2 $3" in
  "info "*) [ -z "\${STUB_DOCKER_DOWN:-}" ] || exit 1 ;;
  "inspect -f {{.State.Running}}") [ -n "\${STUB_REGISTRY:-}" ] || exit 1; echo "$STUB_REGISTRY" ;;
  "inspect -f {{json .NetworkSettings.Networks.kind}}") echo "\${STUB_REGISTRY_NET:-null}" ;;
  "inspect kind-registry "*) [ -n "\${STUB_REGISTRY:-}" ] || exit 1 ;;
  "exec -i "*) cat >/dev/null ;;
  "buildx version "*) [ -z "\${STUB_NO_BUILDX:-}" ] || exit 1 ;;
  "buildx inspect "*) [ -n "\${STUB_BUILDER:-}" ] || exit 1 ;;
esac`,
  kind: `case "$1 $2" in
  "get clusters") [ -z "\${STUB_CLUSTER:-}" ] || echo goapi ;;
  "get nodes") echo goapi-control-plane ;;
esac`,
  node: `case "$1" in
  -p) echo "\${STUB_NODE_MAJOR:-22}" ;;
  --version) echo "v\${STUB_NODE_MAJOR:-22}.1.0" ;;
esac`,
  curl: `exit 0`,
  npm: `exit 0`,
  pulumi: `case "$*" in
  "stack output url"*) echo http://goapi.localhost/ ;;
  "stack output token"*) echo stub-token-0123456789 ;;
  "stack select local") [ -n "\${STUB_STACKS:-}" ] || exit 1 ;;
esac`,
};

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every stub call, "tool args...", in order. */
  calls: string[];
}

export function runScript(script: string, env: Record<string, string>, omit: string[] = []): ScriptRun {
  const chosen = Object.fromEntries(Object.entries(stubs).filter(([name]) => !omit.includes(name)));
  return runWithStubs({ script, stubs: chosen, tools: systemTools, env: { GOAPI_PULUMI: "<stubs>/pulumi", ...env } });
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
