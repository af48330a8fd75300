import * as pulumi from "@pulumi/pulumi";
import { ApiImage, ImageBuild, refOfDigest } from "../components/image";
import { Declared, installMocks, settle } from "./helpers/mocks";
import { isSecretValue, raw, reveal, valueOf } from "./helpers/values";

const prebuiltDigest = `sha256:${"d".repeat(64)}`;
const imageType = "docker-build:index:Image";

const build: ImageBuild = {
  context: "/repo/app",
  repository: "ghcr.io/acme/goapi",
  tag: "0123456789ab",
  platforms: ["linux/amd64", "linux/arm64"],
  buildArgs: { VERSION: "0123456789ab", COMMIT: "c0ffee" },
  cacheRef: "ghcr.io/acme/goapi:buildcache",
  registry: { address: "ghcr.io", username: "bot", password: pulumi.secret("registry-token") },
};

async function declare(b: ImageBuild, opts: Parameters<typeof installMocks>[1] = {}) {
  const declared = await installMocks("test", opts);
  const resourceOptions: Record<string, pulumi.CustomResourceOptions> = {};
  const image = new ApiImage("api", { build: b }, {
    transformations: [
      (args) => {
        resourceOptions[args.type] = args.opts;
        return undefined;
      },
    ],
  });
  await settle();
  return { declared, image, inputs: raw(declared, imageType), resourceOptions };
}

const imageOf = (declared: Declared[]) => declared.find((d) => d.type === imageType);
/** Whether an output's value is known: an Output internal the public API does not expose. */
const isKnown = (o: pulumi.Output<string>) => Reflect.get(o, "isKnown") as Promise<boolean>;

describe("ApiImage", () => {
  it("builds app/ with BuildKit for each platform into one pushed tag, never on preview", async () => {
    const { inputs } = await declare(build);
    expect(inputs).toMatchObject({
      context: { location: "/repo/app" },
      dockerfile: { location: "/repo/app/Dockerfile" },
      tags: ["ghcr.io/acme/goapi:0123456789ab"],
      push: true,
      platforms: ["linux/amd64", "linux/arm64"],
      buildOnPreview: false,
    });
  });

  it("passes the build arguments and asks BuildKit for an SBOM and max provenance", async () => {
    const { inputs } = await declare(build);
    expect(inputs.buildArgs).toEqual({
      VERSION: "0123456789ab",
      COMMIT: "c0ffee",
      BUILDKIT_ATTEST_SBOM: "type=sbom",
      BUILDKIT_ATTEST_PROVENANCE: "type=provenance,mode=max",
    });
  });

  it("asks BuildKit to run the SBOM generator set instead of its default", async () => {
    const scanner = `127.0.0.1:5000/mirror/buildkit-syft-scanner@sha256:${"c".repeat(64)}`;
    const { inputs } = await declare({ ...build, sbomGenerator: scanner });
    expect(inputs.buildArgs).toMatchObject({ BUILDKIT_ATTEST_SBOM: `type=sbom,generator=${scanner}`, BUILDKIT_ATTEST_PROVENANCE: "type=provenance,mode=max" });
  });

  it("reads the registry cache before the build and writes every layer back, without failing the deploy", async () => {
    const { inputs } = await declare(build);
    expect(inputs.cacheFrom).toEqual([{ registry: { ref: "ghcr.io/acme/goapi:buildcache" } }]);
    expect(inputs.cacheTo).toEqual([
      { registry: { ref: "ghcr.io/acme/goapi:buildcache", mode: "max", imageManifest: true, ociMediaTypes: true, ignoreError: true } },
    ]);
  });

  it("logs in to the registry with the credentials as a secret", async () => {
    const { inputs } = await declare(build);
    expect(isSecretValue(inputs.registries)).toBe(true);
    expect(reveal(inputs.registries)).toEqual([{ address: "ghcr.io", username: "bot", password: "registry-token" }]);
  });

  it("builds for the builder's own platform, with a named builder, without cache or credentials when asked", async () => {
    const { inputs } = await declare({ context: "app", repository: "localhost:5001/goapi", tag: "dev", buildArgs: {}, builder: "goapi-local" });
    expect(inputs.platforms).toBeUndefined();
    expect(inputs.cacheFrom).toBeUndefined();
    expect(inputs.cacheTo).toBeUndefined();
    expect(inputs.registries).toBeUndefined();
    expect(inputs.builder).toEqual({ name: "goapi-local" });
  });

  it("replaces base images through named build contexts, the Dockerfile unchanged", async () => {
    const mirror = `127.0.0.1:5000/mirror@sha256:${"a".repeat(64)}`;
    const { inputs } = await declare({ ...build, baseImages: { "golang@sha256:0": mirror } });
    expect(inputs.context).toEqual({ location: "/repo/app", named: { "golang@sha256:0": { location: `docker-image://${mirror}` } } });
    expect(inputs.dockerfile).toEqual({ location: "/repo/app/Dockerfile" });
    expect((await declare(build)).inputs.context).toEqual({ location: "/repo/app" });
  });

  it("keeps the pushed image in the registry when the resource is replaced or removed", async () => {
    const { resourceOptions } = await declare(build);
    expect(resourceOptions[imageType]?.retainOnDelete).toBe(true);
  });

  it("refers to the image by the repository and whatever digest the build reports", async () => {
    const { declared, image } = await declare(build);
    const reported = imageOf(declared)?.state.digest;
    expect(await valueOf(image.ref)).toBe(`ghcr.io/acme/goapi@${String(reported)}`);
  });

  it("fails rather than deploy 'repository@' when a build reports no digest", () => {
    expect(() => refOfDigest("api", "ghcr.io/acme/goapi", "", false)).toThrow(/returned no digest/);
    expect(() => refOfDigest("api", "ghcr.io/acme/goapi", "latest", false)).toThrow(/returned no digest/);
    expect(refOfDigest("api", "ghcr.io/acme/goapi", "", true)).toBeUndefined();
  });

  it("in a preview, leaves the ref unknown while the build has no digest yet", async () => {
    const { image } = await declare(build, { preview: true, state: (type, inputs) => (type === imageType ? { ...inputs, digest: "" } : undefined) });
    expect(await isKnown(image.ref)).toBe(false);
  });

  it("deploys a prebuilt digest without building", async () => {
    const declared = await installMocks("test");
    const image = new ApiImage("api", { prebuiltRef: `ghcr.io/acme/goapi@${prebuiltDigest}` });
    expect(await valueOf(image.ref)).toBe(`ghcr.io/acme/goapi@${prebuiltDigest}`);
    await settle();
    expect(declared.map((d) => d.type)).toEqual(["goapi:index:ApiImage"]);
  });

  it("refuses a prebuilt reference without a digest", async () => {
    await installMocks("test");
    expect(() => new ApiImage("api", { prebuiltRef: "ghcr.io/acme/goapi:1.0" })).toThrow(/must be pinned by digest/);
  });
});
