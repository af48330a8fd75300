#!/usr/bin/env bash
# Builds app/ and pushes it as the program's ApiImage does (components/image.ts,
# components/image-args.ts), so an image from CI and one from `pulumi up` are
# made alike:
# - tagged with the first 12 hex digits of the git tree of app/
#   (components/app-source.ts): the same sources give the same tag;
# - build arguments that depend on app/ alone: VERSION is the tag, COMMIT the
#   last commit that changed app/ ("unknown" where a shallow clone cannot tell;
#   the build job checks out the full history);
# - the SBOM and SLSA provenance (mode=max) attestations the program requests;
# - BuildKit's registry cache at <repository>:buildcache, read before the build
#   and written back with every layer (mode=max); CACHE=false turns it off;
# - the platforms the stack file names (PLATFORMS, comma-separated, or native),
#   on a docker-container builder (the docker driver exports neither registry
#   cache nor attestations).
# An image already under that tag is deployed again instead of rebuilt when it
# holds every platform asked for and carries the signature of this repository's
# deploy workflow (verify-image.sh): a push that changes nothing in app/ then
# deploys the digest that is running, and no pod rolls. Anything else under the
# tag (pushed from elsewhere, or never signed because its scan failed) is built
# over.
# Writes image-ref=<repository>:<tag>@sha256:<digest>, source=built, reused or
# pinned, and platforms= (comma-separated; empty when unknown or native). With
# IMAGE="pinned <ref>" (a rollback pin, or goapi:image.ref in the stack file)
# nothing is built and the pin is passed on.
# Reads IMAGE ("build <repository>" or "pinned <ref>"), PLATFORMS, CACHE,
# REGISTRY_USERNAME and REGISTRY_PASSWORD (stdin to docker login; the Docker
# config lives in a private folder removed at exit, and cosign reads it too),
# and for verify-image.sh GITHUB_REPOSITORY and COSIGN_VERSION.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

case "${IMAGE:?}" in
  "pinned "*)
    ref="${IMAGE#pinned }"
    note "image pinned" "$ref is pinned: nothing to build"
    output image-ref "$ref"
    output source pinned
    output platforms ""
    exit 0
    ;;
  "build "*) repository="${IMAGE#build }" ;;
  *) fail "bad IMAGE" "IMAGE must be 'build <repository>' or 'pinned <ref>', got '$IMAGE'" ;;
esac

platforms=${PLATFORMS:-linux/amd64}
[[ "$platforms" =~ ^(native|linux/[a-z0-9]+(,linux/[a-z0-9]+)*)$ ]] ||
  fail "bad PLATFORMS" "PLATFORMS must be native or a comma-separated list such as linux/amd64,linux/arm64, got '$platforms'"
[ "$platforms" != native ] || platforms=""
case "${CACHE:-true}" in true | false) ;; *) fail "bad CACHE" "CACHE must be true or false, got '$CACHE'" ;; esac

cd "$ci_root"
tree=$(git rev-parse HEAD:app)
version=${tree:0:12}
# As the program decides it: in a shallow clone the oldest commits look as if
# they added everything, so the last change of app/ is only known above them.
commit=$(git log -1 --format=%H -- app)
shallow=$(git rev-parse --git-path shallow)
if [ -z "$commit" ] || { [ -f "$shallow" ] && grep -qxF "$commit" "$shallow"; }; then
  commit=unknown
fi
tag="$repository:$version"
export DOCKER_CONFIG="$scratch/docker"
[ -n "${REGISTRY_PASSWORD:-}" ] || fail "no registry credential" "REGISTRY_PASSWORD is empty (docs/ci.md)"
printf '%s' "$REGISTRY_PASSWORD" | docker login "${repository%%/*}" --username "${REGISTRY_USERNAME:?}" --password-stdin >/dev/null
unset REGISTRY_PASSWORD

finish_with() { # <digest> <built|reused>
  local ref="$tag@$1"
  output image-ref "$ref"
  output source "$2"
  output platforms "$platforms"
  printf '### Image\n\n`%s`\n\n%s from app/ at %s (VERSION %s)%s\n' "$ref" "$2" "$commit" "$version" \
    "${platforms:+, for $platforms}" | summary
}

# The digest under the tag, if the image there holds every platform asked for.
existing_digest() {
  docker buildx imagetools inspect "$tag" --format '{{json .Manifest}}' > "$scratch/manifest.json" 2>/dev/null || return 0
  node -e '
    const [file, wanted] = process.argv.slice(1);
    const index = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
    const held = (index.manifests ?? [])
      .map((m) => m.platform)
      .filter((p) => p !== undefined && p.os !== "unknown")
      .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join("/"));
    const complete = wanted === "" || wanted.split(",").every((p) => held.includes(p));
    if (complete && /^sha256:[a-f0-9]{64}$/.test(index.digest ?? "")) process.stdout.write(index.digest);
  ' "$scratch/manifest.json" "$platforms"
}

digest=$(existing_digest)
if [ -n "$digest" ]; then
  status=0
  "$ci_root/scripts/ci/verify-image.sh" "$tag@$digest" || status=$?
  case $status in
    0)
      echo "ci: $tag@$digest is already pushed and signed by this repository's deploy workflow: deploying it again"
      finish_with "$digest" reused
      exit 0
      ;;
    1) echo "ci: $tag exists without this repository's signature: building it again" ;;
    *) fail "cannot check the image" "verify-image.sh could not check $tag@$digest (exit $status)" ;;
  esac
fi

builder=goapi-ci
docker buildx inspect "$builder" >/dev/null 2>&1 ||
  docker buildx create --name "$builder" --driver docker-container --bootstrap >/dev/null

args=(build app --builder "$builder")
[ -z "$platforms" ] || args+=(--platform "$platforms")
args+=(--build-arg "VERSION=$version" --build-arg "COMMIT=$commit")
# The requests the program passes as BUILDKIT_ATTEST_* (components/image.ts attestationBuildArgs).
args+=(--attest "type=sbom" --attest "type=provenance,mode=max")
if [ "${CACHE:-true}" = true ]; then
  cache="$repository:buildcache"
  args+=(--cache-from "type=registry,ref=$cache"
    --cache-to "type=registry,ref=$cache,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true")
fi
args+=(--tag "$tag" --push --metadata-file "$scratch/metadata.json")

echo "ci: building $tag (COMMIT $commit)"
docker buildx "${args[@]}"
digest=$(tr -d ' \n' < "$scratch/metadata.json" | sed -n 's/.*"containerimage.digest":"\(sha256:[0-9a-f]\{64\}\)".*/\1/p')
[ -n "$digest" ] || fail "no digest" "docker buildx reported no image digest"

echo "ci: pushed $tag@$digest"
finish_with "$digest" built
