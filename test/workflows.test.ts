// The GitHub workflows and the repository agree: stacks, tool versions, the
// test command, and the hardening every job needs.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "timeout-minutes"?: number;
  permissions?: Record<string, string>;
  strategy?: { matrix?: { stack?: string[] } };
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string>;
  on: Record<string, { inputs?: Record<string, { options?: string[] }> } | null>;
  jobs: Record<string, Job>;
}

const names = fs.readdirSync(path.join(root, ".github/workflows")).filter((f) => f.endsWith(".yml"));
const workflows = Object.fromEntries(names.map((n) => [n, parse(read(`.github/workflows/${n}`)) as Workflow]));
const workflow = (name: string): Workflow => {
  const w = workflows[name];
  if (!w) {
    throw new Error(`no .github/workflows/${name}`);
  }
  return w;
};
const steps = (name: string) => Object.values(workflow(name).jobs).flatMap((j) => j.steps);
const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe("the workflows", () => {
  it("are test, preview and deploy", () => {
    expect(names.sort()).toEqual(["deploy.yml", "preview.yml", "test.yml"]);
  });

  it("name only stacks that have a stack file", () => {
    const previewed = workflow("preview.yml").jobs.preview?.strategy?.matrix?.stack ?? [];
    const deployable = workflow("deploy.yml").on.workflow_dispatch?.inputs?.stack?.options ?? [];
    expect(previewed).toEqual(["dev", "prod"]);
    expect(deployable).toEqual(["dev", "prod"]);
    for (const stack of [...previewed, ...deployable]) {
      expect(fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`))).toBe(true);
    }
  });

  it("use the project's Node and Go versions", () => {
    expect(read(".nvmrc").trim()).toBe(pkg.engines.node.replace(/^>=/, ""));
    for (const step of Object.keys(workflows).flatMap(steps)) {
      if (step.uses?.startsWith("actions/setup-node@")) {
        expect(step.with?.["node-version-file"]).toBe(".nvmrc");
      }
      if (step.uses?.startsWith("actions/setup-go@")) {
        expect(step.with?.["go-version-file"]).toBe("app/go.mod");
      }
    }
  });

  it("test with the same commands as .ci/run", () => {
    const ciCommands = read(".ci/run")
      .split("\n")
      .filter((line) => line.startsWith("npm "));
    expect(ciCommands).toEqual(["npm cit", "npm run test:cluster"]);
    for (const command of ciCommands) {
      expect(steps("test.yml").map((s) => s.run)).toContain(command);
    }
  });

  it("preview with the Pulumi CLI version the SDK is pinned to", () => {
    const pulumiStep = steps("preview.yml").find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumiStep?.with?.["pulumi-version"]).toBe(pkg.devDependencies.pulumi);
    expect(pkg.devDependencies.pulumi).toBe(pkg.dependencies["@pulumi/pulumi"]);
    expect(pulumiStep?.with).toMatchObject({ command: "preview", "comment-on-pr": true, "edit-pr-comment": true });
  });

  it.each(names)("%s pins every action to a commit with its version, limits permissions and time", (name) => {
    const text = read(`.github/workflows/${name}`);
    for (const line of text.split("\n").filter((l) => /^\s*(- )?uses:/.test(l))) {
      expect(line).toMatch(/uses: [\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
    const w = workflow(name);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(w.jobs)) {
      expect(job["timeout-minutes"]).toBeGreaterThan(0);
    }
  });
});
