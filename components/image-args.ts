// How a stack's image settings become ApiImage arguments and the provider
// that builds them: what to build from app/, the tag and build arguments,
// where to push and cache, with which credentials.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { appSource, contentTag } from "./app-source";
import type { ApiImageArgs } from "./image";
import { cacheTag, type Settings } from "./settings";

/**
 * The docker-build provider's arguments. `host: ""` is the Docker CLI's own
 * resolution (DOCKER_HOST, then the current docker context), exactly as
 * without it; left out, the SDK copies this machine's DOCKER_HOST into the
 * provider's inputs, and a deploy from a machine with another DOCKER_HOST
 * would replace the provider and, with it, rebuild the image. Registry
 * credentials go on the image, not here, for the same reason.
 */
export const imageBuilderArgs: dockerbuild.ProviderArgs = { host: "" };

export function apiImageArgs(settings: Pick<Settings, "image" | "registryUsername" | "registryPassword">, appDir: string): ApiImageArgs {
  const plan = settings.image;
  if (plan.kind === "prebuilt") {
    return { prebuiltRef: plan.ref };
  }
  const source = appSource(appDir);
  if (plan.tag === "git" && source === undefined) {
    throw new pulumi.RunError(`goapi:image.tag is "git" but ${appDir} is not in a git work tree: set a fixed goapi:image.tag`);
  }
  const tag = plan.tag === "git" && source !== undefined ? contentTag(source) : plan.tag;
  const repository = `${plan.registry}/${plan.repository}`;
  const { registryUsername: username, registryPassword: password } = settings;
  return {
    build: {
      context: appDir,
      repository,
      tag,
      platforms: plan.platforms === "native" ? undefined : plan.platforms,
      // Both depend on app/ alone, so unrelated commits change no input and rebuild nothing.
      buildArgs: { VERSION: tag, COMMIT: source?.commit ?? "unknown" },
      cacheRef: plan.cache ? `${repository}:${cacheTag}` : undefined,
      builder: plan.builder,
      baseImages: plan.baseImages === undefined ? undefined : checkedBaseImages(plan.baseImages, appDir),
      sbomGenerator: plan.sbomGenerator,
      registry:
        username !== undefined && password !== undefined
          ? // Credentials are looked up by host: ghcr.io for ghcr.io/acme.
            { address: plan.registry.split("/")[0] ?? plan.registry, username, password }
          : undefined,
    },
  };
}

/** The images the Dockerfile's FROM lines name, as written there. */
export function fromImages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1] ?? "");
}

/**
 * A substitute for an image the Dockerfile does not use would change nothing, silently: the message that
 * refuses it, or undefined when every key is a FROM image. `npm run check` asks the same question.
 */
export function baseImagesProblem(baseImages: Record<string, string>, dockerfile: string): string | undefined {
  const from = fromImages(fs.readFileSync(dockerfile, "utf8"));
  const unknown = Object.keys(baseImages).filter((image) => !from.includes(image));
  if (unknown.length === 0) {
    return undefined;
  }
  return `goapi:image.baseImages: ${unknown.map((i) => `"${i}"`).join(", ")} ${unknown.length === 1 ? "is not a FROM image" : "are not FROM images"} of ${dockerfile}, whose FROM images are: ${from.join(", ")}`;
}

function checkedBaseImages(baseImages: Record<string, string>, appDir: string): Record<string, string> {
  const problem = baseImagesProblem(baseImages, path.join(appDir, "Dockerfile"));
  if (problem !== undefined) {
    throw new pulumi.RunError(problem);
  }
  return baseImages;
}
