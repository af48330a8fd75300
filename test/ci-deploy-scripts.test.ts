// The deploy path's scripts against stub tools: which ref may deploy what, the
// image build, the plan, its guarded apply, the smoke check, the logins.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { appSource } from "../components/app-source";
import { ApiImage, attestationBuildArgs } from "../components/image";
import { apiImageArgs } from "../components/image-args";
import { loadSettings, type ImagePlan } from "../components/settings";
import { cliConfig } from "../scripts/stack-config";
import { callsTo, exportedState, pulumiVersion, sandbox, type CiRun } from "./helpers/ci-scripts";
import { installMocks, settle } from "./helpers/mocks";
import { raw } from "./helpers/values";

const digest = "a".repeat(64);
const backend = { STACK: "dev", PULUMI_BACKEND_URL: "s3://state-bucket/goapi", PULUMI_CONFIG_PASSPHRASE: "real-passphrase" };
const kube = { KUBECONFIG_DATA: "apiVersion: v1\nkind: Config\n# the deployer" };
/** What the committed stack files ask of the build: the program's defaults. */
const amd64 = { platforms: "linux/amd64", cache: "true" };

describe("deploy-target.sh", () => {
  const box = sandbox();
  const main = box.git("rev-parse", "HEAD");
  const feature = box.commitOnBranch("feature", "feature.go");
  const target = (event: string, ref: string, sha: string, stack = "") =>
    box.run("scripts/ci/deploy-target.sh", { GITHUB_EVENT_NAME: event, GITHUB_REF: ref, GITHUB_SHA: sha, INPUT_STACK: stack });

  it.each([
    ["a push to main", "push", "refs/heads/main", main, "", "dev"],
    ["a release tag on main", "push", "refs/tags/v1.2.3", main, "", "prod"],
    ["a manual dev deploy from main", "workflow_dispatch", "refs/heads/main", main, "dev", "dev"],
    ["a manual prod deploy from main", "workflow_dispatch", "refs/heads/main", main, "prod", "prod"],
    ["a manual prod deploy of a release tag on main", "workflow_dispatch", "refs/tags/v1.2.2", main, "prod", "prod"],
    ["a release tag of several digits on main", "push", "refs/tags/v10.20.300", main, "", "prod"],
  ])("lets %s deploy its stack", (_what, event, ref, sha, input, stack) => {
    const run = target(event, ref, sha, input);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ stack, image: "build ghcr.io/your-org/goapi", ...amd64 });
  });

  it.each([
    ["a release tag on a commit that is not on main", "push", "refs/tags/v1.2.4", feature, "", /v1\.2\.4 points at .*not on main/],
    ["a tag that is not a release", "push", "refs/tags/v1.2", main, "", /may not deploy prod/],
    ["a release candidate tag", "push", "refs/tags/v1.2.3-rc1", main, "", /refs\/tags\/v1\.2\.3-rc1 may not deploy prod/],
    ["a tag with a release number inside it", "push", "refs/tags/old-v1.2.3", main, "", /may not deploy prod/],
    ["a branch named like a release tag", "workflow_dispatch", "refs/heads/refs/tags/v1.2.3", main, "prod", /may not deploy prod/],
    ["a push to another branch", "push", "refs/heads/feature", feature, "", /only main \(dev\) and release tags \(prod\) deploy/],
    ["a manual prod deploy from a branch", "workflow_dispatch", "refs/heads/feature", feature, "prod", /may not deploy prod/],
    ["a manual dev deploy from a tag", "workflow_dispatch", "refs/tags/v1.2.3", main, "dev", /may not deploy dev/],
    ["an unknown stack", "workflow_dispatch", "refs/heads/main", main, "staging", /neither dev nor prod/],
    ["a pull request", "pull_request", "refs/pull/1/merge", feature, "", /does not deploy/],
  ])("refuses %s", (_what, event, ref, sha, input, message) => {
    const run = target(event, ref, sha, input);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.outputs).toEqual({});
  });

  it("needs the history of main to judge a tag", () => {
    box.git("update-ref", "-d", "refs/remotes/origin/main");
    const run = target("push", "refs/tags/v1.2.3", main);
    box.git("update-ref", "refs/remotes/origin/main", main);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/fetch-depth: 0/);
  });

  describe("with a committed rollback pin", () => {
    const pinned = sandbox();
    const pinFile = path.join(pinned.project, ".github", "pins", "prod.image");
    fs.mkdirSync(path.dirname(pinFile), { recursive: true });
    const dispatch = () =>
      pinned.run("scripts/ci/deploy-target.sh", {
        GITHUB_EVENT_NAME: "workflow_dispatch",
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: pinned.git("rev-parse", "HEAD"),
        INPUT_STACK: "prod",
      });

    it("passes the pin on instead of a build, for that stack only", () => {
      const ref = `ghcr.io/your-org/goapi:abcdef123456@sha256:${digest}`;
      fs.writeFileSync(pinFile, `${ref}\n`);
      expect(dispatch().outputs).toEqual({ stack: "prod", image: `pinned ${ref}`, ...amd64 });
      const dev = pinned.run("scripts/ci/deploy-target.sh", {
        GITHUB_EVENT_NAME: "push",
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: pinned.git("rev-parse", "HEAD"),
      });
      expect(dev.outputs).toEqual({ stack: "dev", image: "build ghcr.io/your-org/goapi", ...amd64 });
    });

    it("refuses a pin that is not an image pinned by digest", () => {
      fs.writeFileSync(pinFile, "ghcr.io/your-org/goapi:latest\n");
      const run = dispatch();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/\.github\/pins\/prod\.image must hold one image pinned by digest/);
      expect(run.outputs).toEqual({});
    });
  });
});

describe("stack-file.mjs build", () => {
  const box = sandbox();
  const file = path.join(box.project, "Pulumi.dev.yaml");
  const committed = fs.readFileSync(file, "utf8");
  const withImage = (lines: string) => committed.replace("    registry: ghcr.io/your-org\n", `    registry: ghcr.io/your-org\n${lines}`);
  afterEach(() => {
    fs.writeFileSync(file, committed);
  });

  it.each([
    ["the defaults", ""],
    ["two platforms", "    platforms: [linux/amd64, linux/arm64]\n"],
    ["the builder's own platform", "    platforms: native\n"],
    ["no registry cache", "    cache: false\n    platforms: [linux/arm64]\n"],
  ])("reads %s as the program does", (_what, lines) => {
    fs.writeFileSync(file, withImage(lines));
    const options = Object.fromEntries(
      box.node("scripts/ci/stack-file.mjs", "build", "Pulumi.dev.yaml").trim().split("\n").map((l) => l.split("=")),
    ) as Record<string, string>;
    // The goapi: keys as the program receives them, with the registry login and database password a user adds (README).
    const goapi = Object.entries(cliConfig(file).config).filter(([k]) => k.startsWith("goapi:"));
    const added = { registryUsername: "ci", registryPassword: "p", databasePassword: "d" };
    const raw = { ...Object.fromEntries(goapi.map(([k, v]) => [k.slice("goapi:".length), v])), ...added };
    const image = loadSettings("dev", raw).image;
    if (image.kind !== "build") {
      throw new Error("the stack file builds its image");
    }
    expect(options).toEqual({
      platforms: image.platforms === "native" ? "native" : image.platforms.join(","),
      cache: String(image.cache),
    });
  });

  it.each([
    ["an unknown platform", "    platforms: [linux/s390x]\n"],
    ["a platform twice", "    platforms: [linux/amd64, linux/amd64]\n"],
    ["a cache that is not a boolean", "    cache: maybe\n"],
  ])("refuses %s before anything is built", (_what, lines) => {
    fs.writeFileSync(file, withImage(lines));
    const r = box.nodeRun(["scripts/ci/stack-file.mjs", "build", "Pulumi.dev.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/goapi:image\.(platforms|cache) must be/);
  });
});

describe("build-image.sh", () => {
  const box = sandbox();
  const appCommit = box.git("rev-parse", "HEAD");
  fs.writeFileSync(path.join(box.project, "README.md"), "a commit outside app/\n");
  box.git("add", ".");
  box.git("commit", "-q", "-m", "docs");
  const tree = box.git("rev-parse", "HEAD:app");
  const tag = `ghcr.io/your-org/goapi:${tree.slice(0, 12)}`;
  const pushed = "b".repeat(64);
  const login = {
    IMAGE: "build ghcr.io/your-org/goapi",
    REGISTRY_USERNAME: "ci-bot",
    REGISTRY_PASSWORD: "registry-secret",
    STUB_EXPECT_PASSWORD: "registry-secret",
    STUB_DIGEST: digest,
    GITHUB_REPOSITORY: "your-org/goapi",
  };
  /** The index a build of ours pushes: one image per platform, each with its attestation manifest. */
  const index = (platforms: string[]) =>
    box.write(
      `manifest-${platforms.join("+").replaceAll("/", "-")}.json`,
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        digest: `sha256:${pushed}`,
        manifests: platforms.flatMap((p) => {
          const [os, architecture] = p.split("/");
          return [
            { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"1".repeat(64)}`, platform: { os, architecture } },
            { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"2".repeat(64)}`, platform: { os: "unknown", architecture: "unknown" } },
          ];
        }),
      }),
    );
  const buildCall = (run: CiRun) => callsTo(run, "docker").find((c) => c.startsWith("docker buildx build "));
  /** The value of each `--flag value` of a command line, in order. */
  const flag = (call: string | undefined, name: string) =>
    [...(call ?? "").matchAll(new RegExp(`(?:^| )--${name} (\\S+)`, "g"))].map((m) => m[1] ?? "");

  it("pushes app/ tagged with its git tree as the program tags it, and hands on the digest it pushed", () => {
    const run = box.run("scripts/ci/build-image.sh", { ...login, GITHUB_SHA: "c".repeat(40) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ "image-ref": `${tag}@sha256:${digest}`, source: "built", platforms: "linux/amd64" });
    const docker = callsTo(run, "docker");
    expect(docker[0]).toBe("docker login ghcr.io --username ci-bot --password-stdin");
    expect(run.calls).toContainEqual(expect.stringMatching(/^docker-login password-on-stdin DOCKER_CONFIG=.*goapi-ci\.\w+\/docker$/));
    expect(buildCall(run)).toBe(
      `docker buildx build app --builder goapi-ci --platform linux/amd64 ` +
        `--build-arg VERSION=${tree.slice(0, 12)} --build-arg COMMIT=${appCommit} ` +
        "--attest type=sbom --attest type=provenance,mode=max " +
        "--cache-from type=registry,ref=ghcr.io/your-org/goapi:buildcache " +
        "--cache-to type=registry,ref=ghcr.io/your-org/goapi:buildcache,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true " +
        `--tag ${tag} --push --metadata-file ${buildCall(run)?.split(" ").at(-1) ?? ""}`,
    );
    expect(run.calls.join("\n")).not.toContain("registry-secret");
    expect(run.summary).toContain(`\`${tag}@sha256:${digest}\``);
  });

  it("builds on a docker-container builder, made once: the docker driver exports no registry cache and no attestations", () => {
    const fresh = callsTo(box.run("scripts/ci/build-image.sh", login), "docker");
    expect(fresh).toContain("docker buildx create --name goapi-ci --driver docker-container --bootstrap");
    const again = callsTo(box.run("scripts/ci/build-image.sh", { ...login, STUB_BUILDER: "yes" }), "docker");
    expect(again.some((c) => c.startsWith("docker buildx create"))).toBe(false);
  });

  it("asks BuildKit for what the program asks: build arguments, attestations, cache", async () => {
    const run = box.run("scripts/ci/build-image.sh", login);
    const call = buildCall(run);
    const image: ImagePlan = { kind: "build", registry: "ghcr.io/your-org", repository: "goapi", tag: "git", platforms: ["linux/amd64"], cache: true };
    const settings = { image };
    const program = apiImageArgs(settings, path.join(box.project, "app"));
    if (!("build" in program)) {
      throw new Error("the settings build an image");
    }
    expect(`${program.build.repository}:${program.build.tag}`).toBe(tag);
    expect(flag(call, "build-arg")).toEqual(Object.entries(program.build.buildArgs).map(([k, v]) => `${k}=${v}`));
    expect(flag(call, "attest")).toEqual([attestationBuildArgs.BUILDKIT_ATTEST_SBOM, attestationBuildArgs.BUILDKIT_ATTEST_PROVENANCE]);
    // The Image's cache options, in buildx's --cache-to syntax.
    const declared = await installMocks("dev");
    new ApiImage("api", { build: program.build });
    await settle();
    const declaredImage = raw(declared, "docker-build:index:Image") as { cacheFrom: { registry: { ref: string } }[]; cacheTo: { registry: Record<string, unknown> }[] };
    const buildxNames: Record<string, string> = { ref: "ref", mode: "mode", imageManifest: "image-manifest", ociMediaTypes: "oci-mediatypes", ignoreError: "ignore-error" };
    const cacheTo = Object.entries(declaredImage.cacheTo[0]?.registry ?? {}).map(([k, v]) => `${buildxNames[k] ?? k}=${String(v)}`);
    const options = (csv: string | undefined) => (csv ?? "").split(",").sort();
    expect(flag(call, "cache-to")).toHaveLength(1);
    expect(options(flag(call, "cache-to")[0])).toEqual(["type=registry", ...cacheTo].sort());
    expect(flag(call, "cache-from")).toEqual([`type=registry,ref=${declaredImage.cacheFrom[0]?.registry.ref ?? ""}`]);
  });

  it("builds the stack file's platforms, and without cache when it turns the cache off", () => {
    const both = box.run("scripts/ci/build-image.sh", { ...login, PLATFORMS: "linux/amd64,linux/arm64", CACHE: "false" });
    expect(both.code).toBe(0);
    expect(flag(buildCall(both), "platform")).toEqual(["linux/amd64,linux/arm64"]);
    expect(flag(buildCall(both), "cache-to")).toEqual([]);
    expect(flag(buildCall(both), "cache-from")).toEqual([]);
    expect(both.outputs.platforms).toBe("linux/amd64,linux/arm64");
    const native = box.run("scripts/ci/build-image.sh", { ...login, PLATFORMS: "native" });
    expect(flag(buildCall(native), "platform")).toEqual([]);
    expect(native.outputs.platforms).toBe("");
    const bad = box.run("scripts/ci/build-image.sh", { ...login, PLATFORMS: "linux/amd64 --push" });
    expect(bad.code).toBe(1);
    expect(buildCall(bad)).toBeUndefined();
  });

  describe("when the tag is already in the registry", () => {
    it("deploys the pushed digest again, builds nothing, when it holds the platforms and our signature: a docs-only push rolls nothing", () => {
      const run = box.run("scripts/ci/build-image.sh", { ...login, STUB_MANIFEST: index(["linux/amd64"]) });
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ "image-ref": `${tag}@sha256:${pushed}`, source: "reused", platforms: "linux/amd64" });
      expect(buildCall(run)).toBeUndefined();
      expect(callsTo(run, "docker")).toContain(`docker buildx imagetools inspect ${tag} --format {{json .Manifest}}`);
      const verify = callsTo(run, "cosign").find((c) => c.startsWith("cosign verify "));
      expect(verify).toContain("--certificate-identity-regexp ^https://github\\.com/your-org/goapi/\\.github/workflows/deploy\\.yml@refs/");
      expect(verify?.endsWith(` ${tag}@sha256:${pushed}`)).toBe(true);
    });

    it("builds over an image without our signature (pushed from elsewhere, or its scan failed)", () => {
      const run = box.run("scripts/ci/build-image.sh", { ...login, STUB_MANIFEST: index(["linux/amd64"]), STUB_COSIGN_VERIFY_EXIT: "1" });
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ "image-ref": `${tag}@sha256:${digest}`, source: "built" });
      expect(run.stdout).toContain("without this repository's signature: building it again");
    });

    it("builds over an image that lacks a platform the stack file asks for, without asking for a signature", () => {
      const run = box.run("scripts/ci/build-image.sh", { ...login, PLATFORMS: "linux/amd64,linux/arm64", STUB_MANIFEST: index(["linux/amd64"]) });
      expect(run.outputs.source).toBe("built");
      expect(callsTo(run, "cosign")).toEqual([]);
    });

    it("stops when the signature cannot be checked at all", () => {
      const run = box.run("scripts/ci/build-image.sh", { ...login, STUB_MANIFEST: index(["linux/amd64"]), COSIGN_VERSION: "v3.1.3" });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/could not check .* \(exit 2\)/);
      expect(buildCall(run)).toBeUndefined();
      expect(run.outputs).toEqual({});
    });
  });

  it("stamps the commit that last changed app/, and unknown where a shallow clone cannot tell", () => {
    const shallow = path.join(box.dir, "shallow");
    box.git("clone", "-q", "--depth", "1", `file://${box.project}`, shallow);
    fs.symlinkSync(path.join(box.project, "node_modules"), path.join(shallow, "node_modules"));
    const inShallow = box.runIn(shallow, "scripts/ci/build-image.sh", login);
    expect(inShallow.code).toBe(0);
    expect(flag(buildCall(inShallow), "build-arg")).toEqual([`VERSION=${tree.slice(0, 12)}`, "COMMIT=unknown"]);
    // Three commits deep, the last change of app/ lies above the clone's boundary: known, as the program knows it.
    fs.writeFileSync(path.join(box.project, "app", "main.go"), "package main // changed\n");
    box.git("commit", "-q", "-am", "app");
    const changed = box.git("rev-parse", "HEAD");
    fs.writeFileSync(path.join(box.project, "README.md"), "docs again\n");
    box.git("commit", "-q", "-am", "docs");
    const deeper = path.join(box.dir, "deeper");
    box.git("clone", "-q", "--depth", "3", `file://${box.project}`, deeper);
    fs.symlinkSync(path.join(box.project, "node_modules"), path.join(deeper, "node_modules"));
    const inDeeper = box.runIn(deeper, "scripts/ci/build-image.sh", login);
    expect(flag(buildCall(inDeeper), "build-arg")).toEqual([`VERSION=${box.git("rev-parse", "HEAD:app").slice(0, 12)}`, `COMMIT=${changed}`]);
    const source = appSource(path.join(deeper, "app"));
    expect(source?.commit).toBe(changed);
  });

  it("builds nothing for a pinned image and passes the pin on", () => {
    const ref = `ghcr.io/your-org/goapi:old@sha256:${digest}`;
    const run = box.run("scripts/ci/build-image.sh", { IMAGE: `pinned ${ref}` });
    expect(run.code).toBe(0);
    expect(callsTo(run, "docker")).toEqual([]);
    expect(run.outputs).toEqual({ "image-ref": ref, source: "pinned", platforms: "" });
  });

  it("fails when the build reports no digest", () => {
    const run = box.run("scripts/ci/build-image.sh", { ...login, STUB_DIGEST: "not-a-digest" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no image digest/);
    expect(run.outputs).toEqual({});
  });
});

describe("plan.sh", () => {
  const box = sandbox();
  const state = box.write("export.json", exportedState({ time: "2026-11-20T10:00:00.000Z" }));
  const image = `ghcr.io/your-org/goapi:t@sha256:${digest}`;
  const plan = (env: Record<string, string> = {}) =>
    box.run("scripts/ci/plan.sh", { ...backend, ...kube, IMAGE_REF: image, STUB_EXPORT: state, ...env }, [path.join(box.dir, "plan")]);

  it("saves the preview of this image as a plan, with the state it starts from, and shows it in the summary", () => {
    const run = plan({ STUB_PREVIEW_OUTPUT: "~ kubernetes:apps/v1:Deployment goapi update" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const pulumi = callsTo(run, "pulumi");
    expect(pulumi).toContain("pulumi login s3://state-bucket/goapi");
    expect(pulumi).toContain("pulumi stack select dev");
    expect(pulumi).toContain(`pulumi config set --path goapi:image.ref ${image}`);
    expect(pulumi).toContain(`pulumi preview --diff --color never --suppress-progress --policy-pack policy --save-plan ${path.join(box.dir, "plan", "plan.json")}`);
    expect(pulumi.at(-1)).toBe("pulumi logout --all");
    expect(run.outputs.fingerprint).toBe("2026-11-20T10:00:00.000Z");
    expect(run.outputs["plan-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(run.outputs["image-ref"]).toBe(image);
    expect(run.summary).toContain("## Plan for dev");
    expect(run.summary).toContain("~ kubernetes:apps/v1:Deployment goapi update");
  });

  it("gives the CLI the kubeconfig as a private file at the same path in every job, never its contents", () => {
    const run = plan();
    // The path becomes an input of the Kubernetes provider: plan and apply must agree on it.
    for (const line of run.pulumiEnv) {
      expect(line).toContain(`KUBECONFIG=${path.join(run.runnerTemp, "kubeconfig")} KUBECONFIG_MODE=600 KUBECONFIG_DATA= `);
    }
    expect(fs.existsSync(path.join(run.runnerTemp, "kubeconfig"))).toBe(false); // removed when the script ended
  });

  it("keeps an image the stack file itself sets, and plans that image", () => {
    const pin = `ghcr.io/your-org/goapi:old@sha256:${"b".repeat(64)}`;
    const run = plan({ IMAGE_REF: pin, STUB_PIN: pin });
    expect(callsTo(run, "pulumi").filter((c) => c.includes("config set"))).toEqual([]);
    expect(run.outputs["image-ref"]).toBe(pin);
  });

  it("fails visibly, with the output in the summary, when the preview fails", () => {
    const run = plan({ STUB_PREVIEW_EXIT: "255", STUB_PREVIEW_OUTPUT: "error: program failed" });
    expect(run.code).toBe(1);
    expect(run.summary).toContain("The preview failed (exit 255)");
    expect(run.summary).toContain("error: program failed");
    expect(run.outputs.fingerprint).toBeUndefined();
  });

  it("stops before anything else without the stack", () => {
    const run = plan({ STUB_SELECT_EXIT: "255" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/npx pulumi stack init dev/);
    expect(callsTo(run, "pulumi").some((c) => c.startsWith("pulumi preview"))).toBe(false);
  });
});

describe("apply.sh", () => {
  const box = sandbox();
  const planDir = path.join(box.dir, "plan");
  fs.mkdirSync(planDir);
  fs.writeFileSync(path.join(planDir, "plan.json"), '{"resourcePlans":{}}\n');
  const planSha = createHash("sha256").update('{"resourcePlans":{}}\n').digest("hex");
  const image = `ghcr.io/your-org/goapi:t@sha256:${digest}`;
  const apply = (env: Record<string, string> = {}) =>
    box.run(
      "scripts/ci/apply.sh",
      {
        ...backend,
        ...kube,
        IMAGE_REF: image,
        PLAN_SHA256: planSha,
        EXPECTED_FINGERPRINT: "2026-11-20T10:00:00.000Z",
        STUB_EXPORT: box.write("export.json", exportedState({ time: "2026-11-20T10:00:00.000Z" })),
        STUB_URL: "https://goapi.dev.example.com/",
        ...env,
      },
      [planDir],
    );
  const ups = (run: CiRun) => callsTo(run, "pulumi").filter((c) => c.startsWith("pulumi up"));

  it("applies the saved plan with its own preview first (no --skip-preview)", () => {
    const run = apply();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(ups(run)).toEqual([`pulumi up --yes --plan ${path.join(planDir, "plan.json")} --diff --color never --suppress-progress --policy-pack policy`]);
    expect(run.summary).toContain("## Deployed dev");
  });

  it("refuses when the state was written after the plan was made", () => {
    const run = apply({ STUB_EXPORT: box.write("later.json", exportedState({ time: "2026-11-20T10:05:00.000Z" })) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/state changed since the plan/);
    expect(ups(run)).toEqual([]);
  });

  it("refuses a plan file other than the one the plan job wrote", () => {
    const run = apply({ PLAN_SHA256: "0".repeat(64) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not the file the plan job wrote/);
    expect(callsTo(run, "pulumi")).toEqual([]);
  });

  it("refuses when the stack file now pins another image than the plan's", () => {
    const run = apply({ STUB_PIN: `ghcr.io/your-org/goapi:x@sha256:${"e".repeat(64)}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the plan was made for/);
    expect(ups(run)).toEqual([]);
  });

  it("fails when pulumi up refuses the plan; nothing to explain without workloads", () => {
    const run = apply({ STUB_UP_EXIT: "255" });
    expect(run.code).toBe(255);
    expect(run.stdout).toContain("Why the rollout failed: the stack's state holds no Deployment, StatefulSet or Job yet");
    expect(callsTo(run, "kubectl")).toEqual([]);
    expect(run.summary).not.toContain("## Deployed");
  });

  it("after a failed update, prints each failing pod's reason, events and logs, secrets redacted, in the log and the job summary", () => {
    const state = path.join(__dirname, "fixtures", "rollout");
    const token = (JSON.parse(fs.readFileSync(path.join(state, "state-secrets.json"), "utf8")) as { token: string }).token;
    const run = apply({
      STUB_UP_EXIT: "255",
      STUB_EXPORT: path.join(state, "state.json"),
      EXPECTED_FINGERPRINT: "2026-12-05T10:00:00Z",
      STUB_ROLLOUT_FIXTURES: state,
      STUB_ROLLOUT_CASE: "crashloop",
      STUB_TOKEN: token,
    });
    expect(run.code).toBe(255);
    expect(callsTo(run, "pulumi")).toContain("pulumi stack export --show-secrets");
    expect(callsTo(run, "kubectl")[0]).toMatch(/^kubectl --kubeconfig=\S+ --context=kind-goapi get pods --namespace=goapi /);
    expect(run.stdout).toContain("container api: waiting: CrashLoopBackOff");
    expect(run.stdout).toContain("starting with token [redacted]");
    expect(run.summary).toContain("## Why the update of dev failed");
    expect(run.summary).toContain("Warning BackOff: Back-off restarting failed container api");
    expect(run.stdout + run.summary).not.toContain(token);
  });

  describe("on a canary stack, follows the release after the up", () => {
    const rollout = path.join(__dirname, "fixtures", "rollout");
    /** The rollout fixture's state with a Canary goapi/goapi through the same provider as its workloads. */
    const canaryState = box.write(
      "canary-state.json",
      (() => {
        const json = JSON.parse(fs.readFileSync(path.join(rollout, "state.json"), "utf8")) as { deployment: { resources: Record<string, unknown>[] } };
        const deployment = json.deployment.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
        json.deployment.resources.push({
          urn: "urn:pulumi:dev::goapi::kubernetes:flagger.app/v1beta1:Canary::goapi",
          type: "kubernetes:flagger.app/v1beta1:Canary",
          provider: deployment?.provider,
          outputs: { metadata: { name: "goapi", namespace: "goapi" } },
        });
        return JSON.stringify(json);
      })(),
    );
    const canary = (phase: string) =>
      box.write(
        `canary-${phase}.json`,
        JSON.stringify({
          metadata: { name: "goapi", namespace: "goapi" },
          spec: { targetRef: { name: "goapi" }, analysis: { interval: "1m", threshold: 2, stepWeights: [5, 20] } },
          status: { phase, lastAppliedSpec: "h2", lastPromotedSpec: phase === "Failed" ? "h1" : "h2", lastTransitionTime: "2026-12-05T10:00:00Z", conditions: [{ type: "Promoted", message: `${phase} as Flagger left it` }] },
        }),
      );
    const release = (phase: string) => {
      const record = path.join(box.dir, `release-${phase}`, "release.json");
      const run = apply({
        STUB_EXPORT: canaryState,
        EXPECTED_FINGERPRINT: "2026-12-05T10:00:00Z",
        STUB_CANARY: canary(phase),
        STUB_TARGET: box.write("target.json", JSON.stringify({ metadata: { name: "goapi" }, spec: { template: { spec: { containers: [{ image: "goapi@sha256:aaaa" }] } } } })),
        STUB_CANARY_EVENTS: box.write("canary-events.json", JSON.stringify({ items: [{ type: "Warning", reason: "Synced", message: "Rolling back goapi.goapi failed checks threshold reached 2", lastTimestamp: "2026-12-05T10:00:00Z" }] })),
        RELEASE_RECORD: record,
      });
      return { run, record };
    };

    it("marks each Canary before the up and watches it after; an up that changed no template ends at once (exit 0)", () => {
      const { run, record } = release("Succeeded");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const calls = callsTo(run, "kubectl").map((c) => c.replace(/^kubectl --kubeconfig=\S+ --context=kind-goapi /, ""));
      // Before the up (the mark), then after it (the watch).
      expect(calls).toEqual([
        "get canary.flagger.app goapi --namespace=goapi --ignore-not-found --output=json",
        "get deployment goapi --namespace=goapi --ignore-not-found --output=json",
        "get canary.flagger.app goapi --namespace=goapi --ignore-not-found --output=json",
        "get deployment goapi --namespace=goapi --ignore-not-found --output=json",
      ]);
      const order = run.calls.filter((c) => c.startsWith("pulumi up") || c.startsWith("kubectl ")).map((c) => c.split(" ")[0]);
      expect(order).toEqual(["kubectl", "kubectl", "pulumi", "kubectl", "kubectl"]);
      expect(run.stdout).toContain("goapi/goapi: no new release");
      expect(run.summary).toContain("## Deployed dev");
      expect(run.summary).toContain("## The release of dev");
      expect(JSON.parse(fs.readFileSync(record, "utf8"))).toMatchObject({ canaries: [{ namespace: "goapi", name: "goapi", phase: "Succeeded" }] });
    });

    it("fails the job when the release stands rolled back, with Flagger's events in the log and the summary", () => {
      const { run, record } = release("Failed");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/::error title=release rolled back::Flagger rolled the release of dev back/);
      expect(run.stdout).toContain("goapi/goapi: rolled back");
      expect(run.summary).toContain("Rolling back goapi.goapi failed checks threshold reached 2");
      expect(JSON.parse(fs.readFileSync(record, "utf8"))).toMatchObject({ canaries: [{ phase: "Failed", message: "Failed as Flagger left it" }] });
    });

    it("a stack without a Canary: no mark, no watch lines in the summary, no kubectl call", () => {
      const run = apply();
      expect(run.code).toBe(0);
      expect(callsTo(run, "kubectl")).toEqual([]);
      expect(run.summary).not.toContain("## The release of");
    });
  });
});

describe("smoke.sh", () => {
  const box = sandbox();
  const token = "tok-smoke-0123456789abcdef";
  const smoke = (env: Record<string, string> = {}) =>
    box.run("scripts/ci/smoke.sh", {
      ...backend,
      STUB_URL: "https://goapi.dev.example.com/",
      STUB_TOKEN: token,
      SMOKE_ATTEMPTS: "2",
      SMOKE_DELAY: "0",
      GITHUB_RUN_ID: "42",
      ...env,
    });
  const requests = (run: CiRun) => run.calls.filter((c) => c.startsWith("curl-request "));

  it("checks readiness, then writes, reads back and deletes an item with the token from the stack", () => {
    const run = smoke();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(requests(run)).toEqual([
      "curl-request GET https://goapi.dev.example.com/readyz auth=no",
      "curl-request POST https://goapi.dev.example.com/v1/items auth=yes",
      "curl-request GET https://goapi.dev.example.com/v1/items/it-1 auth=no",
      "curl-request DELETE https://goapi.dev.example.com/v1/items/it-1 auth=yes",
    ]);
    expect(callsTo(run, "pulumi")).toContain("pulumi stack output token --show-secrets");
  });

  it("masks the token before anything else is printed and never puts it on a command line", () => {
    const run = smoke();
    expect(run.stdout.split("\n").filter((l) => l.includes(token))).toEqual([`::add-mask::${token}`]);
    expect(run.calls.filter((c) => c.includes(token))).toEqual([]);
    expect(fs.readFileSync(path.join(run.stubDir, "curl-headers"), "utf8")).toContain(`Authorization: Bearer ${token}`);
  });

  it.each([
    ["/readyz never answers 200", { STUB_READYZ: "503" }, /readyz answered '503' 2 times/],
    ["the write is refused", { STUB_POST: "401" }, /POST \/v1\/items answered 401/],
    ["the item does not read back", { STUB_GET_NAME: "someone else" }, /without the item just written/],
    ["the delete fails", { STUB_DELETE: "500" }, /DELETE \/v1\/items\/it-1 answered 500/],
  ])("fails the job when %s", (_what, env, message) => {
    const run = smoke(env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});

describe("logging in to the backend", () => {
  const box = sandbox();
  const snapshot = (env: Record<string, string>) =>
    box.run("scripts/ci/snapshot.sh", { STACK: "prod", STUB_EXPORT: box.write("e.json", exportedState()), ...env }, [path.join(box.dir, "out")]);

  it("uses a self-managed backend's URL", () => {
    const run = snapshot({ PULUMI_BACKEND_URL: "gs://bucket/goapi" });
    expect(callsTo(run, "pulumi")[0]).toBe("pulumi login gs://bucket/goapi");
  });

  it("exchanges the job's OIDC token for a Pulumi Cloud team token, through files only", () => {
    const run = snapshot({
      PULUMI_OIDC_ORG: "acme",
      PULUMI_OIDC_TEAM: "goapi-readers",
      PULUMI_STACK_PREFIX: "acme/goapi/",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/req?x=1",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-secret",
    });
    expect(run.code).toBe(0);
    expect(run.calls).toContain("curl-request GET https://token.actions.example/req?x=1&audience=urn:pulumi:org:acme auth=no");
    const login = callsTo(run, "pulumi")[0] ?? "";
    expect(login).toMatch(/^pulumi login --oidc-token file:\/\/\S+\/id-token --oidc-org acme --oidc-team goapi-readers$/);
    expect(callsTo(run, "pulumi")).toContain("pulumi stack select acme/goapi/prod");
    expect(run.calls.join("\n")).not.toMatch(/request-secret|eyJ\.stub\.jwt/);
    expect(fs.readFileSync(path.join(run.stubDir, "curl-headers"), "utf8")).toContain("Authorization: bearer request-secret");
  });

  it("falls back to PULUMI_ACCESS_TOKEN from the environment", () => {
    const run = snapshot({ PULUMI_ACCESS_TOKEN: "pul-secret" });
    expect(callsTo(run, "pulumi")[0]).toBe("pulumi login");
    expect(run.pulumiEnv[0]).toMatch(/TOKEN=set$/);
  });

  it("refuses to guess without any", () => {
    const run = snapshot({});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PULUMI_OIDC_ORG/);
    expect(callsTo(run, "pulumi")).toEqual([]);
  });

  it("refuses OIDC in a job that may not request an ID token", () => {
    const run = snapshot({ PULUMI_OIDC_ORG: "acme" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/id-token: write/);
  });
});

describe("pulumi-cli.sh", () => {
  const box = sandbox();

  it("accepts the CLI version package.json pins", () => {
    const run = box.run("scripts/ci/pulumi-cli.sh");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Pulumi CLI v${pulumiVersion}`);
  });

  it("refuses another version, and PULUMI_VERSION overrides", () => {
    expect(box.run("scripts/ci/pulumi-cli.sh", { STUB_PULUMI_VERSION: "3.1.0" }).stderr).toMatch(/pins pulumi/);
    expect(box.run("scripts/ci/pulumi-cli.sh", { PULUMI_VERSION: "3.1.0" }).stderr).toMatch(/PULUMI_VERSION is set/);
  });
});
