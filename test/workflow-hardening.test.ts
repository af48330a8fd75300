// Hardening every job needs: pinned actions, least privilege, time limits,
// no token left in the checkout, and the small things a review catches.
import { allJobs, job, readRepoFile, stepsOf, workflow, workflowFiles } from "./helpers/workflows";

/** What each job may do with the GITHUB_TOKEN, and why. */
const allowedPermissions: Record<string, Record<string, string>> = {
  "test.yml/test": { contents: "read" },
  "test.yml/cluster": { contents: "read" },
  "test.yml/e2e": { contents: "read" },
  "test.yml/observability": { contents: "read" },
  "e2e.yml/kind": { contents: "read" },
  "preview.yml/fork": {},
  "preview.yml/preview": { contents: "read", actions: "read" }, // reads the published state artifact
  "preview.yml/comment": { contents: "read", "pull-requests": "write" }, // posts the comment
  "deploy.yml/target": { contents: "read" },
  "deploy.yml/test": { contents: "read" },
  "deploy.yml/build": { contents: "read", packages: "write" }, // pushes to ghcr.io
  "deploy.yml/scan": { contents: "read", packages: "read" }, // pulls the image
  "deploy.yml/sign": { contents: "read", packages: "write", "id-token": "write" }, // pushes the signature; keyless certificate
  "deploy.yml/verify": { contents: "read", packages: "read" }, // reads the signature
  "deploy.yml/plan": { contents: "read", "id-token": "write" }, // Pulumi Cloud OIDC
  "deploy.yml/deploy": { contents: "read", "id-token": "write" },
  "drift.yml/drift": { contents: "read", "id-token": "write" },
  "drift-stack.yml/state": { contents: "read", "id-token": "write" },
  "drift-stack.yml/check": { contents: "read", "id-token": "write" },
};

describe.each(workflowFiles)("%s", (file) => {
  const text = readRepoFile(`.github/workflows/${file}`);

  it("pins every action to a full commit with its version in a comment", () => {
    const uses = text.split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      expect(line).toMatch(/uses: (\.\/\.github\/workflows\/[\w-]+\.yml|[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+)$/);
    }
  });

  it("grants nothing at the workflow level and only what each job needs", () => {
    const w = workflow(file);
    expect(w.permissions).toEqual({});
    for (const [name, j] of Object.entries(w.jobs)) {
      expect({ job: name, permissions: j.permissions }).toEqual({ job: name, permissions: allowedPermissions[`${file}/${name}`] });
    }
  });

  it("limits the time of every job that runs on a runner", () => {
    for (const j of Object.values(workflow(file).jobs).filter((j) => j.uses === undefined)) {
      expect(j["timeout-minutes"]).toBeGreaterThan(0);
      // The cluster tests build a control plane from source when their cache is cold.
      expect(j["timeout-minutes"]).toBeLessThanOrEqual(60);
      expect(j["runs-on"]).toBe("ubuntu-24.04");
    }
  });

  it("leaves no token in any checkout for later steps to find", () => {
    const checkouts = Object.values(workflow(file).jobs)
      .flatMap(stepsOf)
      .filter((s) => s.uses?.startsWith("actions/checkout@"));
    for (const checkout of checkouts) {
      expect(checkout.with?.["persist-credentials"]).toBe(false);
    }
  });

  it("refreshes the package lists before installing packages", () => {
    for (const step of Object.values(workflow(file).jobs).flatMap(stepsOf)) {
      if (step.run?.includes("apt-get install")) {
        expect(step.run).toMatch(/apt-get update[^\n]*&& .*apt-get install/);
      }
    }
  });
});

describe("the test workflow", () => {
  it("runs once per pull request push (no push trigger next to pull_request) and is what deploy calls", () => {
    expect(Object.keys(workflow("test.yml").on).sort()).toEqual(["pull_request", "workflow_call", "workflow_dispatch"]);
    expect(job("deploy.yml", "test").uses).toBe("./.github/workflows/test.yml");
  });

  it("cancels superseded pull-request runs but never the tests of a deploy", () => {
    expect(workflow("test.yml").concurrency?.["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
  });
});

describe("full history", () => {
  it("is fetched only where a commit must be proven to be on main or app/'s last commit found, and says so", () => {
    const deep: string[] = [];
    for (const [file, name, j] of allJobs) {
      for (const s of stepsOf(j).filter((s) => s.with?.["fetch-depth"] !== undefined)) {
        expect(s.with?.["fetch-depth"]).toBe(0);
        deep.push(`${file}/${name}`);
      }
    }
    expect(deep.sort()).toEqual(["deploy.yml/build", "deploy.yml/target", "drift-stack.yml/state"]);
    for (const file of workflowFiles) {
      for (const line of readRepoFile(`.github/workflows/${file}`).split("\n").filter((l) => l.includes("fetch-depth"))) {
        expect(line).toMatch(/fetch-depth: 0 # the history of (main|app\/): /);
      }
    }
  });
});
