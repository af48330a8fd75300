// The e2e workflow: the local stack on kind, run for real on every pull
// request and on main, with nothing but the runner.
import * as fs from "node:fs";
import * as path from "node:path";
import { job, readRepoFile, root, secretsIn, stepsOf, workflow } from "./helpers/workflows";

const e2e = workflow("e2e.yml");
const kind = job("e2e.yml", "kind");
const runs = stepsOf(kind).flatMap((s) => (s.run === undefined ? [] : [s.run]));

describe("the e2e workflow", () => {
  it("runs on pull requests and on main, and cancels only superseded pull-request runs", () => {
    expect(Object.keys(e2e.on).sort()).toEqual(["pull_request", "push", "workflow_dispatch"]);
    expect(e2e.on.push).toEqual({ branches: ["main"] });
    expect(e2e.concurrency?.["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
  });

  it("reads no secret and no variable: everything it needs is on the runner", () => {
    const text = readRepoFile(".github/workflows/e2e.yml");
    expect(secretsIn(text)).toEqual([]);
    expect(text).not.toMatch(/\bvars\.|github\.token|docker login|environment:/);
  });

  it("runs the whole path in order: local:up with its smoke checks, no changes, a config change under load, local:dev, local:down, nothing left", () => {
    const order = [
      /^npm ci --ignore-scripts$/,
      /^scripts\/ci\/pulumi-cli\.sh$/,
      /^npm run local:up$/,
      /^scripts\/kind-e2e\/no-changes\.sh$/,
      /^scripts\/kind-e2e\/config-under-load\.sh \d+$/,
      /^scripts\/kind-e2e\/dev-edit\.sh \d+$/,
      /npm run local:down/,
      /^scripts\/kind-e2e\/nothing-left\.sh$/,
    ];
    const at = order.map((re) => runs.findIndex((r) => re.test(r)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("tears down even after a failed step, with the checkout's edits undone first", () => {
    const down = stepsOf(kind).find((s) => s.run?.includes("npm run local:down"));
    expect(down?.if).toBe("${{ !cancelled() }}");
    expect(down?.run).toMatch(/^git checkout -- Pulumi\.local\.yaml app\nnpm run local:down\n?$/);
  });

  it("names only scripts that exist and are executable", () => {
    for (const script of runs.flatMap((r) => [...r.matchAll(/scripts\/[\w/.-]+\.sh/g)].map((m) => m[0]))) {
      const file = path.join(root, script);
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.statSync(file).mode & 0o100).toBe(0o100);
    }
  });

  it("runs local:dev as npm run local:dev does (the binary itself, so SIGINT reaches it, not npm)", () => {
    const pkg = JSON.parse(readRepoFile("package.json")) as { scripts: Record<string, string> };
    expect(readRepoFile("scripts/kind-e2e/dev-edit.sh")).toContain(`exec node_modules/.bin/${pkg.scripts["local:dev"] ?? "-"})`);
  });

  it("builds a pinned kind from the Go module proxy", () => {
    expect(e2e.env?.KIND_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(runs).toContainEqual(expect.stringMatching(/go install "sigs\.k8s\.io\/kind@\$KIND_VERSION"/));
  });
});
