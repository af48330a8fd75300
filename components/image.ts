// ApiImage: the API's container image, built from app/ and pushed, or a
// prebuilt image pinned by digest. Either way `ref` is repository@sha256:...
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { digestRef } from "./names";

export interface ImageBuild {
  /** Directory with the Dockerfile (app/). */
  context: string;
  /** registry/repository, without tag. */
  repository: string;
  tag: string;
  /** linux/amd64, linux/arm64, or "native" for the Docker host's own. */
  platform: string;
  buildArgs: Record<string, string>;
  /** Start from the layers of the last pushed image of this tag. */
  cacheFrom: boolean;
  /** Registry credentials; omitted for registries that take anonymous pushes. */
  registry?: { server: string; username: string; password: pulumi.Input<string> };
}

export type ApiImageArgs = { build: ImageBuild } | { prebuiltRef: string };

export class ApiImage extends pulumi.ComponentResource {
  /** Image reference pinned by digest. */
  public readonly ref: pulumi.Output<string>;

  constructor(name: string, args: ApiImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:ApiImage", name, {}, opts);
    if ("prebuiltRef" in args) {
      if (!digestRef.test(args.prebuiltRef)) {
        throw new pulumi.RunError(`ApiImage ${name}: prebuilt image "${args.prebuiltRef}" must be pinned by digest (<repository>@sha256:<64 hex>)`);
      }
      this.ref = pulumi.output(args.prebuiltRef);
    } else {
      const b = args.build;
      const imageName = `${b.repository}:${b.tag}`;
      const image = new docker.Image(
        name,
        {
          imageName,
          build: {
            context: b.context,
            dockerfile: `${b.context}/Dockerfile`,
            platform: b.platform === "native" ? undefined : b.platform,
            args: b.buildArgs,
            cacheFrom: b.cacheFrom ? { images: [imageName] } : undefined,
          },
          registry: b.registry,
          skipPush: false,
          // A preview must never build or push: it runs on pull requests.
          buildOnPreview: false,
        },
        { parent: this },
      );
      this.ref = image.repoDigest;
    }
    this.registerOutputs({ ref: this.ref });
  }
}
