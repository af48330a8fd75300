import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { ImageBuild } from "../components/image";
import { apiImageArgs, fromImages, imageBuilderArgs } from "../components/image-args";
import type { ImagePlan, Settings } from "../components/settings";
import { gitRepo, GitRepo, removeGitRepos } from "./helpers/git-repo";
import { installMocks, settle } from "./helpers/mocks";
import { fixture, runStack } from "./helpers/stack";

// Outside git, with a fixed tag: for the settings that do not depend on the source.
let bare: string;
beforeAll(() => {
  bare = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-no-git-"));
});
afterAll(() => {
  removeGitRepos();
  fs.rmSync(bare, { recursive: true, force: true });
});
const fixed = (p: Partial<Extract<ImagePlan, { kind: "build" }>> = {}) => plan({ tag: "1.4.0", ...p });

type ImageSettings = Pick<Settings, "image" | "registryUsername" | "registryPassword">;
const plan = (p: Partial<Extract<ImagePlan, { kind: "build" }>> = {}): ImagePlan => ({
  kind: "build",
  registry: "ghcr.io/acme",
  repository: "goapi",
  tag: "git",
  platforms: ["linux/amd64"],
  cache: true,
  ...p,
});

function buildOf(settings: ImageSettings, appDir: string): ImageBuild {
  const args = apiImageArgs(settings, appDir);
  if (!("build" in args)) {
    throw new Error("expected a build");
  }
  return args.build;
}

function repoWithApp(): { repo: GitRepo; appDir: string; appCommit: string } {
  const repo = gitRepo();
  const appCommit = repo.commit("app", { "app/main.go": "package main\n", "README.md": "# readme\n" });
  return { repo, appDir: path.join(repo.root, "app"), appCommit };
}

describe("apiImageArgs", () => {
  it("tags with app/'s tree and stamps app/'s last commit, unchanged by a commit elsewhere", () => {
    const { repo, appDir, appCommit } = repoWithApp();
    const before = buildOf({ image: plan() }, appDir);
    const tree = repo.git("rev-parse", "HEAD:app").slice(0, 12);
    expect(before.tag).toBe(tree);
    expect(before.buildArgs).toEqual({ VERSION: tree, COMMIT: appCommit });
    const docs = repo.commit("docs", { "README.md": "# readme, edited\n" });
    const after = buildOf({ image: plan() }, appDir);
    expect(after).toEqual(before);
    expect(after.tag).not.toBe(docs.slice(0, 12));
    expect(after.buildArgs.COMMIT).not.toBe(docs);
  });

  it("builds the same tag from a depth-1 clone as from the full history", () => {
    const { repo, appDir } = repoWithApp();
    repo.commit("docs", { "README.md": "# readme, edited\n" });
    const clone = repo.shallowClone(1);
    expect(buildOf({ image: plan() }, path.join(clone.root, "app")).tag).toBe(buildOf({ image: plan() }, appDir).tag);
  });

  it("marks a build of local changes dirty in tag and COMMIT", () => {
    const { repo, appDir, appCommit } = repoWithApp();
    repo.write("app/main.go", "package main // local\n");
    const b = buildOf({ image: plan() }, appDir);
    expect(b.tag).toMatch(/^[0-9a-f]{12}-dirty$/);
    expect(b.buildArgs).toEqual({ VERSION: b.tag, COMMIT: `${appCommit}-dirty` });
  });

  it("uses a fixed tag as given, also outside git, and says what to do when 'git' cannot work", () => {
    const { appDir, appCommit } = repoWithApp();
    expect(buildOf({ image: fixed() }, appDir).buildArgs).toEqual({ VERSION: "1.4.0", COMMIT: appCommit });
    expect(buildOf({ image: fixed() }, bare).buildArgs).toEqual({ VERSION: "1.4.0", COMMIT: "unknown" });
    expect(() => apiImageArgs({ image: plan() }, bare)).toThrow(/goapi:image\.tag is "git" but .* is not in a git work tree: set a fixed goapi:image\.tag/);
  });

  it("caches at <repository>:buildcache unless the cache is off", () => {
    expect(buildOf({ image: fixed() }, bare).cacheRef).toBe("ghcr.io/acme/goapi:buildcache");
    expect(buildOf({ image: fixed({ cache: false }) }, bare).cacheRef).toBeUndefined();
  });

  it("passes platforms and builder through; native leaves the platform to the builder", () => {
    const multi = buildOf({ image: fixed({ platforms: ["linux/amd64", "linux/arm64"], builder: "ci" }) }, bare);
    expect([multi.platforms, multi.builder]).toEqual([["linux/amd64", "linux/arm64"], "ci"]);
    expect(buildOf({ image: fixed({ platforms: "native" }) }, bare).platforms).toBeUndefined();
  });

  it("substitutes only images that app/Dockerfile's FROM lines name, and names them when one does not", () => {
    const appDir = path.join(__dirname, "..", "app");
    const from = fromImages(fs.readFileSync(path.join(appDir, "Dockerfile"), "utf8"));
    expect(from).toHaveLength(2);
    expect(from.every((image) => /@sha256:[a-f0-9]{64}$/.test(image))).toBe(true);
    const mirror = `127.0.0.1:5000/mirror@sha256:${"a".repeat(64)}`;
    const baseImages = Object.fromEntries(from.map((image) => [image, mirror]));
    expect(buildOf({ image: fixed({ baseImages }) }, appDir).baseImages).toEqual(baseImages);
    expect(buildOf({ image: fixed() }, appDir).baseImages).toBeUndefined();
    expect(() => buildOf({ image: fixed({ baseImages: { "golang:1.26": mirror } }) }, appDir)).toThrow(
      `goapi:image.baseImages: "golang:1.26" is not a FROM image of ${path.join(appDir, "Dockerfile")}, whose FROM images are: ${from.join(", ")}`,
    );
    expect(() => buildOf({ image: fixed({ baseImages: { "golang:1.26": mirror, "alpine:3": mirror } }) }, appDir)).toThrow(
      `goapi:image.baseImages: "golang:1.26", "alpine:3" are not FROM images of ${path.join(appDir, "Dockerfile")}, whose FROM images are: ${from.join(", ")}`,
    );
  });

  it("passes the SBOM generator on when one is set", () => {
    const scanner = `127.0.0.1:5000/mirror/buildkit-syft-scanner@sha256:${"c".repeat(64)}`;
    expect(buildOf({ image: fixed({ sbomGenerator: scanner }) }, bare).sbomGenerator).toBe(scanner);
    expect(buildOf({ image: fixed() }, bare).sbomGenerator).toBeUndefined();
  });

  it("reads FROM images with or without a platform, in any case, and not the stage names", () => {
    const dockerfile = "# FROM comment\nFROM --platform=$BUILDPLATFORM golang:1.26 AS build\nRUN true\n  from gcr.io/distroless/static\nFROM build\n";
    expect(fromImages(dockerfile)).toEqual(["golang:1.26", "gcr.io/distroless/static", "build"]);
    expect(fromImages("FROM  --platform=linux/amd64 \tgolang:1.26  AS build\n\tFROM\t\tscratch\n")).toEqual(["golang:1.26", "scratch"]);
  });

  it("logs in to the registry host with the secret password, only with both credentials", async () => {
    const creds = { registryUsername: "bot", registryPassword: pulumi.secret("token") };
    const registry = buildOf({ image: fixed(), ...creds }, bare).registry;
    expect(registry?.address).toBe("ghcr.io");
    expect(registry?.username).toBe("bot");
    const password = pulumi.output(registry?.password);
    expect(await pulumi.isSecret(password)).toBe(true);
    expect(buildOf({ image: fixed(), registryUsername: "bot" }, bare).registry).toBeUndefined();
    expect(buildOf({ image: fixed(), registryPassword: pulumi.secret("token") }, bare).registry).toBeUndefined();
  });

  it("deploys image.ref without building", () => {
    const ref = `ghcr.io/acme/goapi@sha256:${"a".repeat(64)}`;
    expect(apiImageArgs({ image: { kind: "prebuilt", ref } }, "/nowhere")).toEqual({ prebuiltRef: ref });
  });
});

describe("imageBuilderArgs", () => {
  it("keeps this machine's DOCKER_HOST out of the provider's inputs", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "tcp://a-laptop-only-docker:2376";
    try {
      const declared = await installMocks("test");
      new dockerbuild.Provider("image-builder", imageBuilderArgs);
      await settle();
      const builder = declared.find((d) => d.type === "pulumi:providers:docker-build");
      expect(builder?.inputs.host).toBe("");
      expect(builder?.inputs.registries).toBeUndefined();
    } finally {
      if (saved === undefined) {
        delete process.env.DOCKER_HOST;
      } else {
        process.env.DOCKER_HOST = saved;
      }
    }
  });
});

describe("a stack that deploys image.ref", () => {
  it("builds nothing and declares no docker-build provider, so it needs neither Docker nor the plugin", async () => {
    const ref = `ghcr.io/acme/goapi@sha256:${"b".repeat(64)}`;
    const run = await runStack(fixture("staging"), { set: { image: { ref } } });
    expect(run.declared.filter((d) => d.type.startsWith("docker-build:") || d.type === "pulumi:providers:docker-build")).toEqual([]);
    expect(run.outputs.imageRef).toBe(ref);
  });
});
