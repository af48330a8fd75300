// What a deploy waits for, which refs reach which stack, what the prod approver
// sees, and the drift check.
import * as fs from "node:fs";
import * as path from "node:path";
import { ancestors, environmentOf, job, needsOf, readRepoFile, root, stepsOf, workflow, type Step } from "./helpers/workflows";

const deploy = workflow("deploy.yml");
const step = (jobName: string, match: RegExp): Step => {
  const found = stepsOf(job("deploy.yml", jobName)).find((s) => match.test(s.run ?? ""));
  if (found === undefined) {
    throw new Error(`deploy.yml ${jobName} has no step running ${String(match)}`);
  }
  return found;
};

describe("a deploy", () => {
  it("is triggered by main, release tags and by hand, never by a pull request", () => {
    expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(deploy.on.push).toEqual({ branches: ["main"], tags: ["v*"] });
    expect((deploy.on.workflow_dispatch?.inputs as { stack: { type: string } }).stack.type).toBe("choice");
  });

  it("changes a stack only after the tests of its own commit passed, the image was built, checked and the plan saved", () => {
    expect(ancestors("deploy.yml", "deploy")).toEqual(new Set(["target", "test", "build", "scan", "sign", "verify", "plan"]));
    expect(needsOf(job("deploy.yml", "plan"))).toEqual(expect.arrayContaining(["test", "build"]));
    expect(needsOf(job("deploy.yml", "build"))).toEqual(expect.arrayContaining(["target", "test"]));
    for (const name of ["build", "scan", "sign", "verify", "plan", "deploy"]) {
      expect(job("deploy.yml", name).if).toBeUndefined();
    }
  });

  it("tests, builds, plans and applies the run's own commit: no job checks out another ref", () => {
    for (const j of Object.values(deploy.jobs)) {
      for (const s of stepsOf(j).filter((s) => s.uses?.startsWith("actions/checkout@"))) {
        expect(s.with?.ref).toBeUndefined();
      }
    }
  });

  it("lets deploy-target.sh decide the stack, from the event, the ref and the dispatch input only", () => {
    const target = stepsOf(job("deploy.yml", "target")).find((s) => s.id === "target");
    expect(target?.run).toBe("scripts/ci/deploy-target.sh");
    expect(target?.env).toEqual({ INPUT_STACK: "${{ inputs.stack }}" });
    for (const name of ["plan", "deploy"]) {
      expect(stepsOf(job("deploy.yml", name)).filter((s) => s.env?.STACK !== undefined).map((s) => s.env?.STACK)).toEqual(
        expect.arrayContaining(["${{ needs.target.outputs.stack }}"]),
      );
    }
  });

  it("runs the plan in the stack's read Environment and the apply in the stack's Environment (prod: reviewers)", () => {
    expect(environmentOf(job("deploy.yml", "plan"))).toBe("${{ needs.target.outputs.stack }}-read");
    expect(environmentOf(job("deploy.yml", "deploy"))).toBe("${{ needs.target.outputs.stack }}");
  });

  it("applies exactly the saved plan, for the image and state the plan was made from", () => {
    const plan = step("plan", /^scripts\/ci\/plan\.sh /);
    expect(plan.env?.IMAGE_REF).toBe("${{ needs.build.outputs.image-ref }}");
    const apply = step("deploy", /^scripts\/ci\/apply\.sh /);
    expect(apply.env).toMatchObject({
      IMAGE_REF: "${{ needs.plan.outputs.image-ref }}",
      EXPECTED_FINGERPRINT: "${{ needs.plan.outputs.fingerprint }}",
      PLAN_SHA256: "${{ needs.plan.outputs.plan-sha256 }}",
    });
    const upload = stepsOf(job("deploy.yml", "plan")).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    const download = stepsOf(job("deploy.yml", "deploy")).find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.name).toBe(upload?.with?.name);
  });

  it("checks the service through its public URL after applying, then publishes the redacted state even after a failure", () => {
    const runs = stepsOf(job("deploy.yml", "deploy")).map((s) => s.run ?? "");
    const apply = runs.findIndex((r) => r.startsWith("scripts/ci/apply.sh"));
    const smoke = runs.findIndex((r) => r === "scripts/ci/smoke.sh");
    const snapshot = runs.findIndex((r) => r.startsWith("scripts/ci/snapshot.sh"));
    expect(apply).toBeGreaterThan(-1);
    expect(smoke).toBe(apply + 1);
    expect(snapshot).toBe(smoke + 1);
    expect(step("deploy", /^scripts\/ci\/smoke\.sh$/).if).toBeUndefined();
    expect(step("deploy", /^scripts\/ci\/snapshot\.sh /).if).toBe("${{ !cancelled() }}");
  });

  it("runs one at a time per stack and is never cancelled midway", () => {
    expect(deploy.concurrency).toEqual({
      group: "deploy-${{ inputs.stack || (startsWith(github.ref, 'refs/tags/') && 'prod') || 'dev' }}",
      "cancel-in-progress": false,
    });
  });
});

describe("the drift check", () => {
  const state = stepsOf(job("drift-stack.yml", "state"));
  const check = stepsOf(job("drift-stack.yml", "check"));

  it("runs every day and by hand, from main only, per stack, without failing fast", () => {
    expect(Object.keys(workflow("drift.yml").on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const drift = job("drift.yml", "drift");
    expect(drift.if).toBe("github.ref == 'refs/heads/main'");
    expect(drift.strategy?.["fail-fast"]).toBe(false);
    expect(drift.uses).toBe("./.github/workflows/drift-stack.yml");
  });

  it("previews the program of the deployed commit, with the scripts of main, refreshing and expecting no changes", () => {
    expect(state.find((s) => s.id === "deployed")?.run).toBe("scripts/ci/deployed-commit.sh");
    expect(job("drift-stack.yml", "state").outputs?.commit).toBe("${{ steps.deployed.outputs.commit }}");
    expect(needsOf(job("drift-stack.yml", "check"))).toEqual(["state"]);
    const [program, scripts] = check.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(program?.with?.ref).toBe("${{ needs.state.outputs.commit }}");
    expect(scripts?.with).toMatchObject({ path: "ci", "sparse-checkout": "scripts/ci" });
    expect(scripts?.with?.ref).toBeUndefined();
    expect(check.at(-1)?.run).toBe("ci/scripts/ci/drift.sh");
    expect(readRepoFile("scripts/ci/drift.sh")).toContain("pulumi preview --refresh --expect-no-changes --diff");
  });

  it("publishes a fresh redacted state before the check, so previews get one even when drift fails the run", () => {
    expect(state.some((s) => s.run?.startsWith("scripts/ci/snapshot.sh"))).toBe(true);
    expect(check.some((s) => s.run?.includes("snapshot.sh"))).toBe(false);
  });
});

describe("the files handed from job to job", () => {
  const uploads = (file: string, jobName: string) =>
    stepsOf(job(file, jobName)).filter((s) => s.uses?.startsWith("actions/upload-artifact@"));
  const paths = (s: Step | undefined) => String(s?.with?.path).trim().split("\n").map((p) => p.trim());

  it("are the redacted state that snapshot.sh writes, published by deploy and drift and read by previews", () => {
    // The deploy also publishes the canary release it followed (apply.sh's RELEASE_RECORD), for the report.
    for (const [file, jobName, stack, release] of [
      ["deploy.yml", "deploy", "${{ needs.target.outputs.stack }}", ["${{ runner.temp }}/snapshot/release.json"]],
      ["drift-stack.yml", "state", "${{ inputs.stack }}", []],
    ] as const) {
      const upload = uploads(file, jobName).find((s) => String(s.with?.name).startsWith("preview-state-"));
      expect(upload?.with?.name).toBe(`preview-state-${stack}`);
      expect(paths(upload)).toEqual(["${{ runner.temp }}/snapshot/state.json", "${{ runner.temp }}/snapshot/meta.json", ...release]);
      expect(stepsOf(job(file, jobName)).some((s) => s.run === 'scripts/ci/snapshot.sh "$RUNNER_TEMP/snapshot"')).toBe(true);
    }
    const preview = stepsOf(job("preview.yml", "preview"));
    const download = preview.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with).toMatchObject({ name: "preview-state-${{ matrix.stack }}", path: "${{ runner.temp }}/snapshot" });
    expect(preview.some((s) => s.run === 'scripts/ci/preview.sh "$RUNNER_TEMP/snapshot" "$RUNNER_TEMP/preview"')).toBe(true);
    expect(readRepoFile("scripts/ci/preview.sh")).toContain('"$snapshot/state.json"');
    const apply = stepsOf(job("deploy.yml", "deploy")).find((s) => s.run === 'scripts/ci/apply.sh "$RUNNER_TEMP/plan"');
    expect(apply?.env?.RELEASE_RECORD).toBe("${{ runner.temp }}/snapshot/release.json");
    expect(readRepoFile("scripts/ci/preview.sh")).toContain('--release "$snapshot/release.json"');
  });

  it("are the comments preview.sh writes, posted by the comment job", () => {
    const upload = uploads("preview.yml", "preview")[0];
    expect(upload?.with?.name).toBe("preview-${{ matrix.stack }}");
    expect(paths(upload)).toEqual(["${{ runner.temp }}/preview/comment.md", "${{ runner.temp }}/preview/preview.txt"]);
    const comment = stepsOf(job("preview.yml", "comment"));
    expect(comment.find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with).toMatchObject({
      pattern: "preview-*",
      path: "${{ runner.temp }}/previews",
    });
    expect(comment.at(-1)?.run).toBe('scripts/ci/pr-comment.sh "$RUNNER_TEMP"/previews/preview-{dev,prod}/comment.md');
  });

  it("are the plan and its preview, from the plan job to the deploy job", () => {
    expect(paths(uploads("deploy.yml", "plan")[0])).toEqual(["${{ runner.temp }}/plan/plan.json", "${{ runner.temp }}/plan/preview.txt"]);
    expect(step("plan", /^scripts\/ci\/plan\.sh /).run).toBe('scripts/ci/plan.sh "$RUNNER_TEMP/plan"');
    const download = stepsOf(job("deploy.yml", "deploy")).find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.path).toBe("${{ runner.temp }}/plan");
    expect(step("deploy", /^scripts\/ci\/apply\.sh /).run).toBe('scripts/ci/apply.sh "$RUNNER_TEMP/plan"');
  });
});

describe("rollback pins", () => {
  it("committed in .github/pins are each one image pinned by digest, for a stack that exists", () => {
    const dir = path.join(root, ".github", "pins");
    const pins = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    for (const name of pins) {
      expect(name).toMatch(/^(dev|prod)\.image$/);
      expect(fs.readFileSync(path.join(dir, name), "utf8").trim()).toMatch(/^[a-z0-9][a-z0-9._/:-]*@sha256:[a-f0-9]{64}$/);
    }
  });
});
