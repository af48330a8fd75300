// Which job and step sees which secret, and what pull-request code can reach.
import {
  allJobs,
  environmentOf,
  job,
  secretsIn,
  stepsOf,
  stringsIn,
  workflow,
  workflowFiles,
  type Job,
  type Step,
} from "./helpers/workflows";

const stepLabel = (s: Step, i: number) => s.id ?? s.name ?? `${i}: ${s.uses ?? s.run ?? ""}`.slice(0, 40);

/** workflow/job/step -> the secrets that step may read, and no other step any. */
const backend = ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"];
const expectedSecrets: Record<string, string[]> = {
  "preview.yml/preview/pulumi preview (pull-request code)": ["PREVIEW_KUBECONFIG_{0}"],
  "deploy.yml/build/build": ["REGISTRY_PASSWORD"],
  "deploy.yml/scan/Scan the pushed image": ["REGISTRY_PASSWORD"],
  "deploy.yml/sign/Sign the pushed image": ["REGISTRY_PASSWORD"],
  "deploy.yml/verify/Verify the image's signature": ["REGISTRY_PASSWORD"],
  "deploy.yml/plan/plan": ["KUBECONFIG", ...backend],
  "deploy.yml/deploy/pulumi up --plan": ["KUBECONFIG", ...backend],
  "deploy.yml/deploy/Smoke check through the public URL": backend,
  "deploy.yml/deploy/Publish the redacted state for previews": backend,
  "drift-stack.yml/state/Publish the redacted state for previews": backend,
  "drift-stack.yml/state/deployed": backend,
  "drift-stack.yml/check/pulumi preview --refresh --expect-no-changes": ["KUBECONFIG", ...backend],
};

/** Where each credential is stored on GitHub (docs/ci.md): jobs reading them must name that environment. */
const expectedEnvironments: Record<string, string | undefined> = {
  "deploy.yml/build": "registry",
  "deploy.yml/scan": "registry",
  "deploy.yml/sign": "registry",
  "deploy.yml/verify": "registry",
  "deploy.yml/plan": "${{ needs.target.outputs.stack }}-read",
  "deploy.yml/deploy": "${{ needs.target.outputs.stack }}",
  "drift-stack.yml/state": "${{ inputs.stack }}-read",
  "drift-stack.yml/check": "${{ inputs.stack }}-read",
};

/** Jobs of workflows a pull request triggers: the checkout and everything it runs is the pull request's. */
const pullRequestJobs = allJobs.filter(([file]) => "pull_request" in workflow(file).on);

describe("secrets", () => {
  it("appear only in the env of the steps that need them, never in with:, run: or job and workflow env", () => {
    for (const file of workflowFiles) {
      for (const [at, value] of stringsIn(workflow(file))) {
        if (secretsIn(value).length > 0 || value.includes("github.token")) {
          expect(`${file}: ${at}`).toMatch(/^[\w.-]+: jobs\.[\w-]+\.steps\[\d+\]\.(env\.\w+|with\.github-token)$/);
        }
      }
    }
  });

  it("are read by exactly these steps", () => {
    const seen: Record<string, string[]> = {};
    for (const [file, name, j] of allJobs) {
      stepsOf(j).forEach((s, i) => {
        const names = secretsIn(JSON.stringify(s.env ?? {}));
        if (names.length > 0) {
          seen[`${file}/${name}/${stepLabel(s, i)}`] = [...new Set(names)].sort();
        }
      });
    }
    const sorted = Object.fromEntries(Object.entries(expectedSecrets).map(([k, v]) => [k, [...v].sort()]));
    expect(seen).toEqual(sorted);
  });

  it("other than the preview identity's are read only in jobs of the Environment that stores them", () => {
    const environments: Record<string, string | undefined> = {};
    for (const [file, name, j] of allJobs) {
      const names = secretsIn(JSON.stringify(j.steps ?? []));
      if (names.some((n) => !n.startsWith("PREVIEW_KUBECONFIG_"))) {
        environments[`${file}/${name}`] = environmentOf(j);
      }
    }
    expect(environments).toEqual(expectedEnvironments);
  });

  it("reach no step before the dependencies are installed, and never an install step", () => {
    for (const [file, name, j] of allJobs) {
      const steps = stepsOf(j);
      const withSecrets = steps.findIndex((s) => secretsIn(JSON.stringify(s.env ?? {})).length > 0);
      steps.forEach((s, i) => {
        if (s.run !== undefined && /^npm ci\b/.test(s.run)) {
          expect({ file, name, env: s.env }).toEqual({ file, name, env: undefined });
          if (withSecrets >= 0) {
            expect({ file, name, installedFirst: i < withSecrets }).toEqual({ file, name, installedFirst: true });
          }
        }
      });
    }
  });
});

describe("pull-request code", () => {
  it("runs in the test and preview jobs only, the jobs of pull_request workflows that install the checkout", () => {
    const running = pullRequestJobs
      .filter(([, , j]) => stepsOf(j).some((s) => s.run !== undefined && /\bnpm (ci|cit)\b/.test(s.run)))
      .map(([file, name]) => `${file}/${name}`);
    expect(running.sort()).toEqual(["e2e.yml/kind", "preview.yml/preview", "test.yml/cluster", "test.yml/e2e", "test.yml/observability", "test.yml/test"]);
  });

  it("gets no Environment, no OIDC token, no write permission and no secret but the preview identity", () => {
    for (const [file, name, j] of pullRequestJobs.filter(([, n]) => n !== "comment")) {
      expect({ file, name, environment: environmentOf(j) }).toEqual({ file, name, environment: undefined });
      expect(Object.values(j.permissions ?? {}).every((p) => p === "read")).toBe(true);
      for (const secret of secretsIn(JSON.stringify(j))) {
        expect(secret).toBe("PREVIEW_KUBECONFIG_{0}");
      }
    }
  });

  it("cannot reach the token that writes to the pull request: the comment job installs and runs nothing of the project but its comment script", () => {
    const comment: Job = job("preview.yml", "comment");
    expect(comment.permissions?.["pull-requests"]).toBe("write");
    const runs = stepsOf(comment).flatMap((s) => (s.run === undefined ? [] : [s.run]));
    expect(runs).toEqual([expect.stringMatching(/^scripts\/ci\/pr-comment\.sh /)]);
    expect(stepsOf(comment).map((s) => s.uses?.split("@")[0]).filter(Boolean)).toEqual([
      "actions/checkout",
      "actions/download-artifact",
    ]);
    const checkout = stepsOf(comment).find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["sparse-checkout"]).toBe("scripts/ci");
  });

  it("from forks is skipped with a notice, not failed", () => {
    const fork = job("preview.yml", "fork");
    expect(fork.if).toBe("github.event.pull_request.head.repo.full_name != github.repository");
    expect(job("preview.yml", "preview").if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(stepsOf(fork).map((s) => s.run)).toEqual([expect.stringMatching(/^echo "::notice title=preview skipped::/)]);
  });

  it("installs dependencies without their install scripts wherever a stack is previewed or deployed", () => {
    for (const [file, name, j] of allJobs.filter(([f]) => f !== "test.yml")) {
      for (const s of stepsOf(j).filter((s) => s.run !== undefined && /^npm ci\b/.test(s.run))) {
        expect({ file, name, run: s.run }).toEqual({ file, name, run: "npm ci --ignore-scripts" });
      }
    }
  });
});
