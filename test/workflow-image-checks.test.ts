// The checks between pushing an image and deploying it: the order of the jobs,
// the pinned scanner and signer, who may sign, and whose signature a deploy
// accepts.
import { allJobs, job, needsOf, readRepoFile, stepsOf, workflow, type Job, type Step } from "./helpers/workflows";

const deploy = workflow("deploy.yml");
const scriptStep = (jobName: string, script: string): Step => {
  const found = stepsOf(job("deploy.yml", jobName)).find((s) => s.run?.startsWith(`scripts/ci/${script}`));
  if (found === undefined) {
    throw new Error(`deploy.yml ${jobName} runs no scripts/ci/${script}`);
  }
  return found;
};
const indexOf = (j: Job, match: (s: Step) => boolean) => stepsOf(j).findIndex(match);
const usesAction = (name: string) => (s: Step) => s.uses?.split("@")[0] === name;
const runsScript = (script: string) => (s: Step) => s.run?.startsWith(`scripts/ci/${script}`) === true;
const builtImage = "${{ needs.build.outputs.image-ref }}";

describe("the pushed image", () => {
  it("is built, scanned, signed and verified, each job after the one before, before the plan and pulumi up", () => {
    const chain = ["build", "scan", "sign", "verify", "plan", "deploy"];
    const waits = chain.slice(1).map((name, i) => [name, chain[i], needsOf(job("deploy.yml", name)).includes(chain[i] ?? "")]);
    expect(waits).toEqual(chain.slice(1).map((name, i) => [name, chain[i], true]));
    expect(scriptStep("deploy", "apply.sh").run).toBe('scripts/ci/apply.sh "$RUNNER_TEMP/plan"');
  });

  it("is the same digest in every check, the plan and the deploy", () => {
    expect(scriptStep("scan", "scan-image.sh")).toMatchObject({ run: 'scripts/ci/scan-image.sh "$IMAGE_REF"', env: { IMAGE_REF: builtImage } });
    expect(scriptStep("sign", "sign-image.sh")).toMatchObject({ run: 'scripts/ci/sign-image.sh "$IMAGE_REF"', env: { IMAGE_REF: builtImage } });
    expect(scriptStep("verify", "verify-image.sh")).toMatchObject({ run: 'scripts/ci/verify-image.sh "$IMAGE_REF"', env: { IMAGE_REF: builtImage } });
    expect(scriptStep("plan", "plan.sh").env?.IMAGE_REF).toBe(builtImage);
    // apply.sh refuses an image other than the planned one.
    expect(scriptStep("deploy", "apply.sh").env?.IMAGE_REF).toBe("${{ needs.plan.outputs.image-ref }}");
    expect(job("deploy.yml", "build").outputs).toMatchObject({
      "image-ref": "${{ steps.build.outputs.image-ref }}",
      source: "${{ steps.build.outputs.source }}",
      platforms: "${{ steps.build.outputs.platforms }}",
    });
  });

  it("is built for the platforms and with the cache the stack file gives the program", () => {
    expect(job("deploy.yml", "target").outputs).toMatchObject({
      platforms: "${{ steps.target.outputs.platforms }}",
      cache: "${{ steps.target.outputs.cache }}",
    });
    expect(scriptStep("build", "build-image.sh").env).toMatchObject({
      IMAGE: "${{ needs.target.outputs.image }}",
      PLATFORMS: "${{ needs.target.outputs.platforms }}",
      CACHE: "${{ needs.target.outputs.cache }}",
    });
  });

  it("is built with the project's Node on PATH, which build-image.sh reads the registry's manifest with", () => {
    const build = job("deploy.yml", "build");
    expect(stepsOf(build).find(usesAction("actions/setup-node"))?.with?.["node-version-file"]).toBe(".nvmrc");
    expect(indexOf(build, usesAction("actions/setup-node"))).toBeLessThan(indexOf(build, runsScript("build-image.sh")));
    expect(readRepoFile("scripts/ci/build-image.sh")).toContain("node -e");
  });

  it("is scanned on every platform it was built for, unless it is a rollback pin", () => {
    const scan = scriptStep("scan", "scan-image.sh");
    expect(scan.env?.PLATFORMS).toBe("${{ needs.build.outputs.platforms }}");
    expect(scan.if).toBe("${{ needs.build.outputs.source != 'pinned' }}");
  });

  it("is signed when this run built it, and verified whatever its source", () => {
    expect(scriptStep("sign", "sign-image.sh").if).toBe("${{ needs.build.outputs.source == 'built' }}");
    expect(scriptStep("verify", "verify-image.sh").if).toBeUndefined();
    for (const name of ["scan", "sign", "verify"]) {
      expect(job("deploy.yml", name).if).toBeUndefined();
    }
  });
});

describe("the scanner and the signer", () => {
  it("are pinned once for the whole workflow, to an exact release", () => {
    expect(deploy.env?.TRIVY_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(deploy.env?.COSIGN_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it.each([
    ["scan", "aquasecurity/setup-trivy", "version", "TRIVY_VERSION", "scan-image.sh"],
    ["build", "sigstore/cosign-installer", "cosign-release", "COSIGN_VERSION", "build-image.sh"],
    ["sign", "sigstore/cosign-installer", "cosign-release", "COSIGN_VERSION", "sign-image.sh"],
    ["verify", "sigstore/cosign-installer", "cosign-release", "COSIGN_VERSION", "verify-image.sh"],
  ])("%s installs the pinned version with %s before its script runs, and the script holds the tool to it", (name, action, input, pin, script) => {
    const j = job("deploy.yml", name);
    const install = stepsOf(j).find(usesAction(action));
    expect(install?.with?.[input]).toBe(`\${{ env.${pin} }}`);
    expect(indexOf(j, usesAction(action))).toBeLessThan(indexOf(j, runsScript(script)));
    // The workflow-level env reaches the script; a job or step must not set another.
    for (const s of stepsOf(j)) {
      expect(s.env?.[pin]).toBeUndefined();
    }
    expect(j.env?.[pin]).toBeUndefined();
  });

  it("are the versions docs/supply-chain.md tells users to run by hand", () => {
    const docs = readRepoFile("docs/supply-chain.md");
    const trivy = deploy.env?.TRIVY_VERSION ?? "";
    expect(docs).toContain(`\`TRIVY_VERSION\`, \`${trivy}\``);
    expect(docs).toContain(`\`COSIGN_VERSION\`, \`${deploy.env?.COSIGN_VERSION ?? ""}\``);
    for (const pinned of docs.matchAll(/TRIVY_VERSION=(\S+)|aquasec\/trivy:(\S+)/g)) {
      expect((pinned[1] ?? `v${pinned[2] ?? ""}`)).toBe(trivy);
    }
  });

  it("scan-image.sh and the cosign scripts check the installed version against that pin", () => {
    expect(readRepoFile("scripts/ci/scan-image.sh")).toMatch(/require_pinned_version scan-image trivy "\$TRIVY_VERSION"/);
    for (const script of ["sign", "verify"]) {
      expect(readRepoFile(`scripts/ci/${script}-image.sh`)).toMatch(new RegExp(`require_pinned_version ${script}-image cosign "\\$COSIGN_VERSION"`));
    }
  });
});

describe("signing", () => {
  it("is done by one job, the only job of the image checks with an OIDC token", () => {
    const signing = allJobs.filter(([, , j]) => stepsOf(j).some(runsScript("sign-image.sh"))).map(([file, name]) => `${file}/${name}`);
    expect(signing).toEqual(["deploy.yml/sign"]);
    expect(job("deploy.yml", "sign").permissions?.["id-token"]).toBe("write");
    for (const name of ["target", "build", "scan", "verify"]) {
      expect({ name, idToken: job("deploy.yml", name).permissions?.["id-token"] }).toEqual({ name, idToken: undefined });
    }
  });

  it("runs only what it needs next to the token: no dependency install, no program", () => {
    const runs = stepsOf(job("deploy.yml", "sign")).flatMap((s) => (s.run === undefined ? [] : [s.run]));
    expect(runs).toEqual(['scripts/ci/sign-image.sh "$IMAGE_REF"']);
    const actions = stepsOf(job("deploy.yml", "sign")).flatMap((s) => (s.uses === undefined ? [] : [s.uses.split("@")[0]]));
    expect(actions).toEqual(["actions/checkout", "sigstore/cosign-installer"]);
  });
});

describe("verification", () => {
  it("expects this workflow's signature from GitHub's issuer: no step widens the identity", () => {
    const verify = scriptStep("verify", "verify-image.sh");
    for (const key of ["SIGNER_WORKFLOW", "SIGNER_IDENTITY_REGEXP", "SIGNER_ISSUER"]) {
      expect(verify.env?.[key]).toBeUndefined();
      expect(job("deploy.yml", "verify").env?.[key]).toBeUndefined();
      expect(deploy.env?.[key]).toBeUndefined();
    }
    // verify-image.sh's default signer is the file that holds the sign job; GITHUB_REPOSITORY is Actions' own.
    const script = readRepoFile("scripts/ci/verify-image.sh");
    expect(script).toContain('"${SIGNER_WORKFLOW:-.github/workflows/deploy.yml}"');
    expect(script).toContain("issuer=${SIGNER_ISSUER:-https://token.actions.githubusercontent.com}");
    expect(verify.env?.GITHUB_REPOSITORY).toBeUndefined();
  });

  it("accepts the refs this workflow signs from: main and release tags", () => {
    expect(deploy.on.push).toEqual({ branches: ["main"], tags: ["v*"] });
    expect(readRepoFile("scripts/ci/verify-image.sh")).toContain("@refs/(heads/main|tags/v[0-9]+\\\\.[0-9]+\\\\.[0-9]+)\\$");
  });
});
