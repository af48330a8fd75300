import * as pulumi from "@pulumi/pulumi";
import { ApiImage } from "../components/image";
import { installMocks, settle } from "./helpers/mocks";
import { isSecretValue, raw, reveal } from "./helpers/values";

const digest = `sha256:${"d".repeat(64)}`;

describe("ApiImage", () => {
  it("builds app/ for the platform, pushes with credentials and exposes the digest", async () => {
    const declared = await installMocks("test");
    const image = new ApiImage("api", {
      build: {
        context: "/repo/app",
        repository: "ghcr.io/acme/goapi",
        tag: "abc123",
        platform: "linux/amd64",
        buildArgs: { VERSION: "abc123", COMMIT: "abc123def" },
        cacheFrom: true,
        registry: { server: "ghcr.io/acme", username: "bot", password: pulumi.secret("registry-token") },
      },
    });
    const ref = await new Promise<string>((resolve) => image.ref.apply(resolve));
    await settle();
    const inputs = raw(declared, "docker:index/image:Image");
    expect(inputs.imageName).toBe("ghcr.io/acme/goapi:abc123");
    expect(inputs.build).toEqual({
      context: "/repo/app",
      dockerfile: "/repo/app/Dockerfile",
      platform: "linux/amd64",
      args: { VERSION: "abc123", COMMIT: "abc123def" },
      cacheFrom: { images: ["ghcr.io/acme/goapi:abc123"] },
    });
    expect(inputs.skipPush).toBe(false);
    expect(inputs.buildOnPreview).toBe(false);
    // The password makes the whole registry block a secret in state.
    expect(isSecretValue(inputs.registry)).toBe(true);
    expect(reveal(inputs.registry)).toEqual({ server: "ghcr.io/acme", username: "bot", password: "registry-token" });
    expect(ref).toMatch(/^ghcr\.io\/acme\/goapi@sha256:[a-f0-9]{64}$/);
  });

  it("pushes anonymously to a local registry, builds for the Docker host and can skip the cache", async () => {
    const declared = await installMocks("test");
    new ApiImage("api", {
      build: { context: "app", repository: "localhost:5001/goapi", tag: "dev", platform: "native", buildArgs: {}, cacheFrom: false },
    });
    await settle();
    const inputs = raw(declared, "docker:index/image:Image");
    expect(inputs.registry).toBeUndefined();
    expect((inputs.build as Record<string, unknown>).cacheFrom).toBeUndefined();
    expect((inputs.build as Record<string, unknown>).platform).toBeUndefined();
  });

  it("deploys a prebuilt digest without building", async () => {
    const declared = await installMocks("test");
    const image = new ApiImage("api", { prebuiltRef: `ghcr.io/acme/goapi@${digest}` });
    expect(await new Promise((resolve) => image.ref.apply(resolve))).toBe(`ghcr.io/acme/goapi@${digest}`);
    await settle();
    expect(declared.map((d) => d.type)).toEqual(["goapi:index:ApiImage"]);
  });

  it("refuses a prebuilt reference without a digest", async () => {
    await installMocks("test");
    expect(() => new ApiImage("api", { prebuiltRef: "ghcr.io/acme/goapi:1.0" })).toThrow(/must be pinned by digest/);
  });
});
