// scripts/ci/preview-report.sh and upsert-comment.sh against stub pulumi and
// gh executables (the report itself runs for real, on recorded previews).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { previewDir } from "./helpers/previews";

const root = path.join(__dirname, "..");
const nodeDir = path.dirname(process.execPath);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  dir: string;
}

/** Runs a script with stub executables (each logs "name args..." and runs its body) first on PATH. */
function runWithStubs(script: string, args: string[], stubs: Record<string, string>, env: Record<string, string> = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-ci-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "calls.log");
  for (const [name, body] of Object.entries(stubs)) {
    fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  }
  const result = spawnSync("bash", [path.join(root, script), ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { PATH: `${bin}:${nodeDir}:/usr/bin:/bin`, HOME: dir, GOAPI_PULUMI: path.join(bin, "pulumi"), ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls, dir };
}

// Answers a preview from a recorded case: the event stream with streaming on, the digest without, the diff with --diff.
const pulumiStub = `case "$*" in
  *--json*) if [ "\${PULUMI_ENABLE_STREAMING_JSON_PREVIEW:-}" = true ]; then cat "$CASE/events.jsonl"; else cat "$CASE/preview.json"; fi ;;
  *--diff*) cat "$CASE/diff.txt" ;;
esac
exit "\${STATUS:-0}"`;

describe("scripts/ci/preview-report.sh", () => {
  const out = (r: Run, file: string) => fs.readFileSync(path.join(r.dir, "out", file), "utf8");

  it("previews with the policy pack, writes the comment and the summary, and appends the summary for GitHub", () => {
    const summaryFile = path.join(os.tmpdir(), `goapi-summary-${process.pid}.md`);
    fs.writeFileSync(summaryFile, "earlier\n");
    const r = runWithStubs("scripts/ci/preview-report.sh", ["prod", "out"], { pulumi: pulumiStub }, {
      CASE: path.join(previewDir, "config-change"),
      PULUMI_STACK_PREFIX: "acme/goapi/",
      DETAILS_URL: "https://github.com/acme/goapi/actions/runs/9",
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      "pulumi preview --stack acme/goapi/prod --policy-pack policy --json --color never",
      "pulumi preview --stack acme/goapi/prod --policy-pack policy --diff --color never",
    ]);
    expect(out(r, "comment.md")).toContain("<!-- goapi-preview-report: prod -->");
    expect(out(r, "comment.md")).toContain("**Policy** `goapi` 0.1.0: 12 rules, all pass");
    expect(out(r, "comment.md")).toContain("[job summary](https://github.com/acme/goapi/actions/runs/9)");
    expect(fs.readFileSync(summaryFile, "utf8")).toBe(`earlier\n${out(r, "summary.md")}`);
    expect(out(r, "summary.md")).toContain("+-kubernetes:core/v1:ConfigMap: (replace)");
    fs.rmSync(summaryFile);
  });

  it("writes the report of a failed preview, then fails with the preview's status", () => {
    const r = runWithStubs("scripts/ci/preview-report.sh", ["dev", "out"], { pulumi: pulumiStub }, { CASE: path.join(previewDir, "policy-violation"), STATUS: "1" });
    expect(r.code).toBe(1);
    expect(out(r, "comment.md")).toContain("3 mandatory violations (these fail preview and up)");
  });

  it("needs a stack and an output directory", () => {
    const r = runWithStubs("scripts/ci/preview-report.sh", [], { pulumi: pulumiStub });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("usage: preview-report.sh <stack> <out-dir>");
    expect(r.calls).toEqual([]);
  });
});

describe("scripts/ci/upsert-comment.sh", () => {
  const comment = (text: string) => {
    const file = path.join(os.tmpdir(), `goapi-comment-${process.pid}-${Math.random()}.md`);
    fs.writeFileSync(file, text);
    return file;
  };
  const ghStub = `case "$*" in
  "api --paginate "*) [ -z "\${EXISTING:-}" ] || echo "$EXISTING" ;;
esac`;
  const env = { GITHUB_REPOSITORY: "acme/goapi" };

  it("edits the comment it posted before for the stack", () => {
    const file = comment("<!-- goapi-preview-report: dev -->\nbody\n");
    const r = runWithStubs("scripts/ci/upsert-comment.sh", ["12", file], { gh: ghStub }, { ...env, EXISTING: "987" });
    expect(r.code).toBe(0);
    expect(r.calls[0]).toMatch(/^gh api --paginate repos\/acme\/goapi\/issues\/12\/comments --jq .*startswith\("<!-- goapi-preview-report: dev -->"\)/);
    expect(r.calls[1]).toBe(`gh api --method PATCH repos/acme/goapi/issues/comments/987 -F body=@${file}`);
    expect(r.stdout).toContain("edited comment 987 on #12");
  });

  it("posts a new comment when there is none", () => {
    const file = comment("<!-- goapi-preview-report: prod -->\nbody\n");
    const r = runWithStubs("scripts/ci/upsert-comment.sh", ["12", file], { gh: ghStub }, env);
    expect(r.calls[1]).toBe(`gh api --method POST repos/acme/goapi/issues/12/comments -F body=@${file}`);
  });

  it.each([
    ["a pull request that is not a number", ["12; rm -rf /", "x.md"], "pull request number expected"],
    ["a file that is not a report", ["12", "not-a-report"], "does not start with a report marker"],
  ])("refuses %s before calling GitHub", (_, args, message) => {
    const file = comment("hello\n");
    const r = runWithStubs("scripts/ci/upsert-comment.sh", args.map((a) => (a === "not-a-report" ? file : a)), { gh: ghStub }, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.calls).toEqual([]);
  });
});
