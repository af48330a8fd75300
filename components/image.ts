// ApiImage: the API's container image, built from app/ with BuildKit and
// pushed, or a prebuilt image pinned by digest. Either way `ref` is
// repository@sha256:..., the only form the Deployment is given.
import * as path from "node:path";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { digestRef } from "./names";
import type { ImagePlatform } from "./settings";

export interface ImageBuild {
  /** Directory with the Dockerfile (app/). */
  context: string;
  /** registry/repository, without tag. */
  repository: string;
  tag: string;
  /** One image per platform, in one index; undefined builds for the builder's own platform. */
  platforms?: ImagePlatform[];
  buildArgs: Record<string, string>;
  /** Registry cache image (repository:buildcache): imported before the build, exported after it. */
  cacheRef?: string;
  /** An existing buildx builder; undefined lets the provider use or create a docker-container one. */
  builder?: string;
  /** A FROM image of the Dockerfile, as written there -> the digest-pinned image to build from instead. */
  baseImages?: Record<string, string>;
  /** The SBOM generator image BuildKit runs instead of its default (pulled from Docker Hub). */
  sbomGenerator?: string;
  /** Registry credentials; omitted for registries that take anonymous pushes. */
  registry?: { address: string; username: string; password: pulumi.Input<string> };
}

export type ApiImageArgs = { build: ImageBuild } | { prebuiltRef: string };

/**
 * SBOM and SLSA provenance attached to the pushed index. @pulumi/docker-build
 * has no attestation option yet (pulumi-docker-build#73) and switches buildx's
 * default provenance off, but BuildKit reads attestation requests from these
 * build arguments as it does from --sbom/--provenance (the values are what
 * buildx sends for --sbom=true --provenance=mode=max). Provenance mode=max
 * records the build arguments: none of ours is secret.
 */
export const attestationBuildArgs = {
  BUILDKIT_ATTEST_SBOM: "type=sbom",
  BUILDKIT_ATTEST_PROVENANCE: "type=provenance,mode=max",
};

/** The attestation requests of one build: BuildKit takes the SBOM's generator image as a field of its request. */
function attestationsOf(b: ImageBuild): Record<string, string> {
  return b.sbomGenerator === undefined
    ? attestationBuildArgs
    : { ...attestationBuildArgs, BUILDKIT_ATTEST_SBOM: `${attestationBuildArgs.BUILDKIT_ATTEST_SBOM},generator=${b.sbomGenerator}` };
}

const sha256Digest = /^sha256:[a-f0-9]{64}$/;

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
      const cache = b.cacheRef;
      const image = new dockerbuild.Image(
        name,
        {
          context: {
            location: b.context,
            // Named contexts replace a FROM image without editing the Dockerfile.
            named:
              b.baseImages === undefined
                ? undefined
                : Object.fromEntries(Object.entries(b.baseImages).map(([from, ref]) => [from, { location: `docker-image://${ref}` }])),
          },
          dockerfile: { location: path.join(b.context, "Dockerfile") },
          tags: [`${b.repository}:${b.tag}`],
          push: true,
          platforms: b.platforms,
          buildArgs: { ...b.buildArgs, ...attestationsOf(b) },
          cacheFrom: cache === undefined ? undefined : [{ registry: { ref: cache } }],
          // mode=max keeps the build stage's layers too (the Go module download); OCI image
          // manifests are what ECR needs and GHCR, Docker Hub and registry:2 accept. A cache
          // that cannot be written costs speed, never the deploy.
          cacheTo:
            cache === undefined
              ? undefined
              : [{ registry: { ref: cache, mode: dockerbuild.CacheMode.Max, imageManifest: true, ociMediaTypes: true, ignoreError: true } }],
          builder: b.builder === undefined ? undefined : { name: b.builder },
          // Here rather than on the provider: the Image's diff ignores a changed password
          // (a rotated or per-run CI token), a provider's replaces the provider and rebuilds.
          registries: b.registry === undefined ? undefined : [b.registry],
          // A preview must never build or push: it runs on pull requests.
          buildOnPreview: false,
        },
        // A replaced or removed Image would delete its manifest from the registry: a digest
        // another stack, a rollback (image.ref) or a still-running pod may use.
        { parent: this, retainOnDelete: true },
      );
      this.ref = pinnedRef(name, b.repository, image.digest);
    }
    this.registerOutputs({ ref: this.ref });
  }
}

/**
 * repository@digest. A preview of an update whose inputs did not change but
 * whose build context did has no digest yet: the ref is then unknown rather
 * than a broken "repository@". Outside a preview a missing digest is an error.
 */
function pinnedRef(name: string, repository: string, digest: pulumi.Output<string>): pulumi.Output<string> {
  return digest.apply((d) => {
    const ref = refOfDigest(name, repository, d, pulumi.runtime.isDryRun());
    return ref === undefined ? pulumi.output(pulumi.unknown).apply(() => "") : pulumi.output(ref);
  });
}

/** repository@digest; undefined (not known yet) in a preview without a digest; an error otherwise. */
export function refOfDigest(name: string, repository: string, digest: string, preview: boolean): string | undefined {
  if (sha256Digest.test(digest)) {
    return `${repository}@${digest}`;
  }
  if (preview) {
    return undefined;
  }
  throw new pulumi.RunError(`ApiImage ${name}: the build of ${repository} returned no digest ("${digest}"), so there is nothing to deploy by digest`);
}
