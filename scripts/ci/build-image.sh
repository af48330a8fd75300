#!/usr/bin/env bash
# Builds app/ for linux/amd64 and pushes it, tagged as the program tags it
# (components/app-source.ts): the first 12 hex digits of the git tree of app/,
# so the same sources give the same tag. VERSION is the tag, COMMIT the last
# commit that changed app/ (the checkout needs the history for that).
# Writes image-ref=<repository>:<tag>@sha256:<digest>, the reference plan and
# deploy use. With IMAGE="pinned <ref>" (the stack file pins goapi:image.ref)
# nothing is built and the pin is passed on.
# Reads IMAGE ("build <repository>" or "pinned <ref>"), REGISTRY_USERNAME and
# REGISTRY_PASSWORD (stdin to docker login; the Docker config lives in a private
# folder removed at exit).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

case "${IMAGE:?}" in
  "pinned "*)
    ref="${IMAGE#pinned }"
    note "image pinned" "the stack file pins $ref: nothing to build"
    output image-ref "$ref"
    exit 0
    ;;
  "build "*) repository="${IMAGE#build }" ;;
  *) fail "bad IMAGE" "IMAGE must be 'build <repository>' or 'pinned <ref>', got '$IMAGE'" ;;
esac

cd "$ci_root"
tree=$(git rev-parse HEAD:app)
version=${tree:0:12}
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  commit=unknown
else
  commit=$(git log -1 --format=%H -- app)
fi
tag="$repository:$version"
export DOCKER_CONFIG="$scratch/docker"
[ -n "${REGISTRY_PASSWORD:-}" ] || fail "no registry credential" "REGISTRY_PASSWORD is empty (docs/ci.md)"
printf '%s' "$REGISTRY_PASSWORD" | docker login "${repository%%/*}" --username "${REGISTRY_USERNAME:?}" --password-stdin >/dev/null
unset REGISTRY_PASSWORD

echo "ci: building $tag"
docker buildx build app --platform linux/amd64 \
  --build-arg "VERSION=$version" --build-arg "COMMIT=$commit" \
  --tag "$tag" --push --metadata-file "$scratch/metadata.json"
digest=$(tr -d ' \n' < "$scratch/metadata.json" | sed -n 's/.*"containerimage.digest":"\(sha256:[0-9a-f]\{64\}\)".*/\1/p')
[ -n "$digest" ] || fail "no digest" "docker buildx reported no image digest"

ref="$tag@$digest"
echo "ci: pushed $ref"
output image-ref "$ref"
printf '### Image\n\n`%s`\n' "$ref" | summary
