// Runs the CI scripts (scripts/ci) in a throwaway copy of the project, a git
// repository of its own, against stub pulumi, curl, docker, cosign and gh executables
// that record their arguments and answer from STUB_* variables. PATH holds only
// the stubs and the few system tools the scripts use.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
export const pulumiVersion = pkg.devDependencies.pulumi ?? "";

const systemTools = [
  "bash", "cat", "chmod", "cut", "date", "dirname", "env", "git", "grep", "head", "mkdir", "mktemp", "mv",
  "node", "npm", "rm", "sed", "seq", "sh", "sha256sum", "sleep", "tr", "wc",
];

// Each stub appends "name args..." to $STUB_LOG; pulumi also logs what it sees
// of the credentials, and the mode of the kubeconfig file it is given
// (command -p: stat is no tool the scripts may use).
const stubs: Record<string, string> = {
  pulumi: `printf 'pulumi %s | KUBECONFIG=%s KUBECONFIG_MODE=%s KUBECONFIG_DATA=%s PREVIEW_KUBECONFIG=%s BACKEND=%s PASSPHRASE=%s TOKEN=%s\\n' \\
  "$1 $2" "\${KUBECONFIG:-}" "$([ ! -f "\${KUBECONFIG:-}" ] || command -p stat -c %a "$KUBECONFIG")" "\${KUBECONFIG_DATA:+set}" "\${PREVIEW_KUBECONFIG:+set}" "\${PULUMI_BACKEND_URL:-}" \\
  "\${PULUMI_CONFIG_PASSPHRASE:-}" "\${PULUMI_ACCESS_TOKEN:+set}" >> "$STUB_DIR/pulumi-env.log"
case "$1 $2" in
  "version "*) echo "v\${STUB_PULUMI_VERSION}" ;;
  "stack export") cat "$STUB_EXPORT" ;;
  "stack history") cat "$STUB_HISTORY" ;;
  "stack select") exit "\${STUB_SELECT_EXIT:-0}" ;;
  "stack init") printf 'encryptionsalt: v1:c3R1Yg==:v1:stub:c2FsdA==\n' >> "Pulumi.$3.yaml" ;;
  "stack output")
    case "$3" in
      url) echo "$STUB_URL" ;;
      token) echo "$STUB_TOKEN" ;;
      imageRef) [ -n "\${STUB_IMAGE_OUTPUT:-}" ] || exit 1; echo "$STUB_IMAGE_OUTPUT" ;;
    esac ;;
  "config get") [ -n "\${STUB_PIN:-}" ] || exit 1; echo "$STUB_PIN" ;;
  "preview "*)
    prev="" json=no
    for a in "$@"; do [ "$prev" != --save-plan ] || echo '{"resourcePlans":{}}' > "$a"; [ "$a" != --json ] || json=yes; prev=$a; done
    if [ "$json" = yes ]; then
      # --json: a recorded preview (test/fixtures/previews), and whether the events were asked for.
      echo "\${PULUMI_ENABLE_STREAMING_JSON_PREVIEW:-}" > "$STUB_DIR/json-streaming"
      [ -z "\${STUB_PREVIEW_JSON:-}" ] || cat "$STUB_PREVIEW_JSON"
    else
      echo "\${STUB_PREVIEW_OUTPUT:-Resources: 10 unchanged}"
    fi
    exit "\${STUB_PREVIEW_EXIT:-0}" ;;
  "up "*) echo "Resources: 1 updated"; exit "\${STUB_UP_EXIT:-0}" ;;
esac`,
  curl: `method=GET out="" data="" url="" auth=no
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -X) method=$2; shift ;;
    --data) data=$2; shift ;;
    -w | --max-time | --retry) shift ;;
    -H)
      case "$2" in
        @*) cat "\${2#@}" >> "$STUB_DIR/curl-headers"; [ -z "\${STUB_TOKEN:-}" ] || ! grep -qF "$STUB_TOKEN" "\${2#@}" || auth=yes ;;
      esac
      shift ;;
    -*) ;;
    *) url=$1 ;;
  esac
  shift
done
echo "curl-request $method $url auth=$auth" >> "$STUB_LOG"
body="" code=200
case "$method $url" in
  *audience=urn:pulumi:org:*) echo '{"count":1,"value":"eyJ.stub.jwt"}'; exit 0 ;;
  "GET "*/readyz) code=\${STUB_READYZ:-200} ;;
  "POST "*/v1/items)
    code=\${STUB_POST:-201}
    printf '%s' "$data" | sed -n 's/.*"name":"\\([^"]*\\)".*/\\1/p' > "$STUB_DIR/item-name"
    body="{\\"id\\":\\"it-1\\",\\"name\\":\\"$(cat "$STUB_DIR/item-name")\\"}" ;;
  "GET "*/v1/items/it-1) code=\${STUB_GET:-200}; body="{\\"id\\":\\"it-1\\",\\"name\\":\\"\${STUB_GET_NAME:-$(cat "$STUB_DIR/item-name")}\\"}" ;;
  "DELETE "*) code=\${STUB_DELETE:-204} ;;
esac
[ -z "$out" ] || printf '%s' "$body" > "$out"
printf '%s' "$code"`,
  docker: `case "$1 $2" in
  "login "*)
    if [ "$(cat)" = "\${STUB_EXPECT_PASSWORD:-}" ]; then
      echo "docker-login password-on-stdin DOCKER_CONFIG=\${DOCKER_CONFIG:-}" >> "$STUB_LOG"
    fi ;;
  "buildx inspect") [ -n "\${STUB_BUILDER:-}" ] || exit 1 ;;
  "buildx imagetools")
    # The tag's manifest, as --format '{{json .Manifest}}' prints it; no STUB_MANIFEST: not pushed yet.
    [ -n "\${STUB_MANIFEST:-}" ] || { echo "ERROR: not found" >&2; exit 1; }
    cat "$STUB_MANIFEST" ;;
  "buildx build")
    prev=""
    for a in "$@"; do
      [ "$prev" != --metadata-file ] || printf '{\\n  "containerimage.digest": "sha256:%s"\\n}\\n' "$STUB_DIGEST" > "$a"
      prev=$a
    done ;;
esac`,
  // cosign as verify-image.sh calls it: STUB_COSIGN_VERIFY_EXIT decides whether a signature verifies.
  cosign: `case "$1" in
  version) printf 'GitVersion:    %s\\n' "\${STUB_COSIGN_VERSION:-v0.0.0}" ;;
  verify) exit "\${STUB_COSIGN_VERIFY_EXIT:-0}" ;;
esac`,
  // kubectl as rollout/cli.ts calls it after a failed update: the pods and events of
  // test/fixtures/rollout/$STUB_ROLLOUT_CASE, and a log that echoes $STUB_TOKEN; as
  // rollout/release-cli.ts calls it around an update: the Canary $STUB_CANARY, its
  // target $STUB_TARGET and its events $STUB_CANARY_EVENTS.
  kubectl: `fixtures=\${STUB_ROLLOUT_FIXTURES:-}
case " $* " in
  *" get canary.flagger.app "*) cat "\${STUB_CANARY:?}" ;;
  *" get deployment "*) cat "\${STUB_TARGET:?}" ;;
  *"involvedObject.kind=Canary"*) cat "\${STUB_CANARY_EVENTS:?}" ;;
  *" get pods "*) cat "$fixtures/$STUB_ROLLOUT_CASE.pods.json" ;;
  *" get events "*) cat "$fixtures/$STUB_ROLLOUT_CASE.events.json" ;;
  *" logs "*) echo "starting with token \${STUB_TOKEN:-}" ;;
  *) exit 99 ;;
esac`,
  gh: `case "$*" in
  *"actions/artifacts?name="*) cat "$STUB_ARTIFACTS" ;;
  *"--slurp"*) cat "$STUB_COMMENTS" ;;
  *"-X POST"* | *"-X PATCH"*)
    for a in "$@"; do case "$a" in body=@*) cat "\${a#body=@}" > "$STUB_DIR/posted" ;; esac; done ;;
esac`,
};

export interface CiRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every stub call, "tool args...", in order. */
  calls: string[];
  /** What pulumi saw of the credentials, one line per call. */
  pulumiEnv: string[];
  /** key=value lines the script wrote to $GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  summary: string;
  /** The copy of the project the script ran in, and the stubs' folder. */
  project: string;
  stubDir: string;
  /** $RUNNER_TEMP of the run: the scripts' scratch folders lived below it. */
  runnerTemp: string;
}

/** The calls a run made to one stub tool. */
export const callsTo = (run: CiRun, tool: string): string[] => run.calls.filter((c) => c.startsWith(`${tool} `));

export interface Sandbox {
  dir: string;
  project: string;
  /** A file in the sandbox, for STUB_* inputs. */
  write(name: string, content: string): string;
  run(script: string, env?: Record<string, string>, args?: string[]): CiRun;
  /** As run, in another checkout of the project (a clone of it, say). */
  runIn(checkout: string, script: string, env?: Record<string, string>, args?: string[]): CiRun;
  git(...args: string[]): string;
  /** Commits a new Go file on a new branch and switches back to main; returns the commit id. */
  commitOnBranch(branch: string, file: string): string;
  /** Runs node in the project, e.g. a scripts/ci/*.js command; returns stdout, throws on failure. */
  node(...args: string[]): string;
  /** Runs node in the project with stdin; returns how it ended. */
  nodeRun(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
}

const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A copy of the project with its own git history: one commit on main, origin/main at it. */
export function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-ci-"));
  sandboxes.push(dir);
  const project = path.join(dir, "project");
  fs.mkdirSync(path.join(project, "scripts"), { recursive: true });
  for (const dir of ["ci", "lib"]) {
    fs.cpSync(path.join(root, "scripts", dir), path.join(project, "scripts", dir), { recursive: true });
  }
  // The change report (npm run report) that preview.sh runs, the policy pack it reads from,
  // the explanation of a failed update and the canary release that apply.sh prints
  // (rollout/ reads Go durations with components/duration.ts).
  for (const dir of ["report", "policy", "rollout", "components"]) {
    fs.cpSync(path.join(root, dir), path.join(project, dir), { recursive: true });
  }
  for (const file of ["package.json", "tsconfig.json", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
    fs.copyFileSync(path.join(root, file), path.join(project, file));
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(project, "node_modules"));
  fs.mkdirSync(path.join(project, "app"));
  fs.writeFileSync(path.join(project, "app", "main.go"), "package main\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", ...args], { cwd: project, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(project, ".gitignore"), "node_modules\n");
  git("add", ".");
  git("commit", "-q", "-m", "init");
  git("update-ref", "refs/remotes/origin/main", "HEAD");

  const commitOnBranch = (branch: string, file: string) => {
    git("switch", "-q", "-c", branch);
    fs.writeFileSync(path.join(project, "app", file), "package main\n");
    git("add", ".");
    git("commit", "-q", "-m", branch);
    const commit = git("rev-parse", "HEAD");
    git("switch", "-q", "main");
    return commit;
  };

  const bin = path.join(dir, "bin");
  const stubDir = path.join(dir, "stub");
  fs.mkdirSync(bin);
  fs.mkdirSync(stubDir);
  for (const tool of systemTools) {
    const real = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (real === "") {
      throw new Error(`the CI script tests need ${tool} on PATH`);
    }
    fs.symlinkSync(real, path.join(bin, tool));
  }
  for (const [name, body] of Object.entries(stubs)) {
    fs.writeFileSync(path.join(bin, name), `#!${path.join(bin, "bash")}\necho "${name} $*" >> "$STUB_LOG"\n${body}\n`, { mode: 0o755 });
  }

  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  const runIn = (checkout: string, script: string, env: Record<string, string> = {}, args: string[] = []): CiRun => {
    const runnerTemp = fs.mkdtempSync(path.join(dir, "runner-"));
    const log = path.join(stubDir, "calls.log");
    const envLog = path.join(stubDir, "pulumi-env.log");
    const output = path.join(runnerTemp, "output");
    const summary = path.join(runnerTemp, "summary");
    for (const f of [log, envLog, output, summary]) {
      fs.writeFileSync(f, "");
    }
    const result = spawnSync(path.join(bin, "bash"), [path.join(checkout, script), ...args], {
      cwd: checkout,
      encoding: "utf8",
      env: {
        PATH: bin,
        HOME: path.join(dir, "home"),
        RUNNER_TEMP: runnerTemp,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GOAPI_PULUMI: path.join(bin, "pulumi"),
        STUB_LOG: log,
        STUB_DIR: stubDir,
        STUB_PULUMI_VERSION: pulumiVersion,
        ...env,
      },
    });
    const lines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    const outputs = Object.fromEntries(lines(output).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    return {
      code: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      calls: lines(log),
      pulumiEnv: lines(envLog),
      outputs,
      summary: fs.readFileSync(summary, "utf8"),
      project: checkout,
      stubDir,
      runnerTemp,
    };
  };
  const run = (script: string, env: Record<string, string> = {}, args: string[] = []) => runIn(project, script, env, args);

  const node = (...args: string[]) => execFileSync("node", args, { cwd: project, encoding: "utf8" });

  const nodeRun = (args: string[], input = "") => {
    const r = spawnSync("node", args, { cwd: project, encoding: "utf8", input });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  return { dir, project, write, run, runIn, git, commitOnBranch, node, nodeRun };
}

/** A `pulumi stack export` with one resource of each kind the redaction must handle. */
export function exportedState(opts: { secret?: string; time?: string; imageRef?: string } = {}): string {
  const secret = (value: unknown) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    plaintext: JSON.stringify(value),
  });
  const token = opts.secret ?? "tok-0123456789abcdef-real";
  return JSON.stringify({
    version: 3,
    deployment: {
      manifest: { time: opts.time ?? "2026-11-20T10:00:00.000Z", magic: "m", version: "v3.265.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:salt:check" } },
      resources: [
        {
          urn: "urn:pulumi:dev::goapi::pulumi:pulumi:Stack::goapi-dev",
          type: "pulumi:pulumi:Stack",
          outputs: { imageRef: opts.imageRef ?? "ghcr.io/your-org/goapi:abc@sha256:" + "1".repeat(64), token: secret(token) },
        },
        {
          urn: "urn:pulumi:dev::goapi::random:index/randomPassword:RandomPassword::api-token",
          type: "random:index/randomPassword:RandomPassword",
          outputs: { result: secret(token), length: 40 },
        },
        {
          // As the Kubernetes provider keeps it: data base64-encoded, the inputs also under __inputs.
          urn: "urn:pulumi:dev::goapi::kubernetes:core/v1:Secret::goapi",
          type: "kubernetes:core/v1:Secret",
          inputs: { type: "Opaque", data: secret({ API_TOKEN: Buffer.from(token).toString("base64") }) },
          outputs: {
            type: "Opaque",
            data: secret({ API_TOKEN: Buffer.from(token).toString("base64") }),
            __inputs: { type: "Opaque", data: secret({ API_TOKEN: Buffer.from(token).toString("base64") }) },
          },
        },
      ],
    },
  });
}
