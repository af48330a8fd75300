// The workflows agree with the repository: stacks, tool versions, the test
// command, and one pinned way to get the Pulumi CLI.
import * as fs from "node:fs";
import * as path from "node:path";
import { allJobs, job, readRepoFile, root, stepsOf, workflow, workflowFiles } from "./helpers/workflows";

const pkg = JSON.parse(readRepoFile("package.json")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("the workflows", () => {
  it("are test, e2e, preview, deploy and drift (with its per-stack part)", () => {
    expect(workflowFiles).toEqual(["deploy.yml", "drift-stack.yml", "drift.yml", "e2e.yml", "preview.yml", "test.yml"]);
  });

  it("name only stacks that have a stack file", () => {
    const stacks = [
      job("preview.yml", "preview").strategy?.matrix?.stack,
      job("drift.yml", "drift").strategy?.matrix?.stack,
      (workflow("deploy.yml").on.workflow_dispatch?.inputs as { stack: { options: string[] } }).stack.options,
    ];
    for (const list of stacks) {
      expect(list).toEqual(["dev", "prod"]);
    }
    for (const stack of ["dev", "prod"]) {
      expect(fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`))).toBe(true);
    }
  });

  it("use the project's Node and Go versions", () => {
    expect(readRepoFile(".nvmrc").trim()).toBe(pkg.engines.node.replace(/^>=/, ""));
    const steps = allJobs.flatMap(([, , j]) => stepsOf(j));
    for (const step of steps.filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
      expect(String(step.with?.["node-version-file"])).toMatch(/(^|\/)\.nvmrc$/);
    }
    for (const step of steps.filter((s) => s.uses?.startsWith("actions/setup-go@"))) {
      expect(step.with?.["go-version-file"]).toBe("app/go.mod");
    }
  });

  it("test with the same commands as .ci/run", () => {
    const ciCommands = readRepoFile(".ci/run")
      .split("\n")
      .filter((line) => line.startsWith("npm "));
    expect(ciCommands).toEqual(["npm cit", "npm run test:cluster", "npm run test:e2e", "npm run test:observability"]);
    // test:e2e needs root: on a runner, the same command under sudo.
    const runs = Object.values(workflow("test.yml").jobs).flatMap((j) =>
      stepsOf(j).map((s) => (s.run ?? "").replace(/^sudo (--preserve-env=\S+ )?/, "")),
    );
    for (const command of ciCommands) {
      expect(runs).toContain(command);
    }
  });
});

describe("the Pulumi CLI", () => {
  it("is the `pulumi` npm package, pinned to the SDK's version", () => {
    expect(pkg.devDependencies.pulumi).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies.pulumi).toBe(pkg.dependencies["@pulumi/pulumi"]);
  });

  it("comes the one way everywhere: npm ci, then scripts/ci/pulumi-cli.sh, before any Pulumi script", () => {
    const pulumiScripts = /scripts\/ci\/(plan|apply|smoke|snapshot|preview|drift|deployed-commit)\.sh|npm run local:|scripts\/kind-e2e\//;
    for (const [file, name, j] of allJobs) {
      const runs = stepsOf(j).map((s) => s.run ?? "");
      const first = runs.findIndex((r) => pulumiScripts.test(r));
      if (first === -1) {
        continue;
      }
      const install = runs.findIndex((r) => r.includes("scripts/ci/pulumi-cli.sh"));
      const npmCi = runs.findIndex((r) => /^npm ci\b/.test(r));
      expect({ file, name, npmCi: npmCi >= 0 && npmCi < install, install: install >= 0 && install < first }).toEqual({
        file,
        name,
        npmCi: true,
        install: true,
      });
    }
  });

  it("is never installed another way or another version", () => {
    for (const file of workflowFiles) {
      const text = readRepoFile(`.github/workflows/${file}`);
      expect(text).not.toMatch(/pulumi\/actions@|pulumi\/setup-pulumi|get\.pulumi\.com|PULUMI_VERSION/);
    }
    expect(readRepoFile("scripts/ci/pulumi-cli.sh")).toContain("devDependencies.pulumi");
  });
});
