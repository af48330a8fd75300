#!/usr/bin/env bash
# Decides which stack a deploy run may change, and refuses every other ref:
#   push to main            -> dev
#   push of a tag vX.Y.Z    -> prod, if the tagged commit is on main
#   manual run (dispatch)   -> the chosen stack; dev only from main, prod from main or such a tag
# Needs the history of main (checkout with fetch-depth: 0) to check the tag.
# Reads GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA and INPUT_STACK (dispatch).
# Writes the outputs stack=, image=pinned <ref> (a rollback pin in
# .github/pins/<stack>.image, or goapi:image.ref in the stack file) or
# image=build <repository>, and how the stack file has the program build it:
# platforms=<comma-separated, or native> and cache=<true|false>.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

event="${GITHUB_EVENT_NAME:?}" ref="${GITHUB_REF:?}" sha="${GITHUB_SHA:?}"
release_tag='^refs/tags/v[0-9]+\.[0-9]+\.[0-9]+$'

case "$event" in
  push)
    case "$ref" in
      refs/heads/main) stack=dev ;;
      refs/tags/*) stack=prod ;;
      *) fail "not deployable" "push of $ref: only main (dev) and release tags (prod) deploy" ;;
    esac
    ;;
  workflow_dispatch)
    stack="${INPUT_STACK:-}"
    case "$stack" in dev | prod) ;; *) fail "unknown stack" "stack '$stack' is neither dev nor prod" ;; esac
    ;;
  *) fail "not deployable" "event $event does not deploy" ;;
esac

cd "$ci_root"
if [ "$ref" = refs/heads/main ]; then
  :
elif [ "$stack" = prod ] && [[ "$ref" =~ $release_tag ]]; then
  git rev-parse -q --verify refs/remotes/origin/main >/dev/null ||
    fail "no history" "origin/main is missing: check out with fetch-depth: 0"
  git merge-base --is-ancestor "$sha" refs/remotes/origin/main ||
    fail "tag not on main" "${ref#refs/tags/} points at $sha, which is not on main; prod deploys only commits of main"
else
  fail "ref may not deploy $stack" "$ref may not deploy $stack: dev deploys from main, prod from main or a release tag vX.Y.Z on main"
fi

STACK=$stack read_pin
if [ -n "$pin" ]; then
  image="pinned $pin"
else
  image=$(node "$ci_root/scripts/ci/stack-file.mjs" image "Pulumi.$stack.yaml")
fi
build_options=$(node "$ci_root/scripts/ci/stack-file.mjs" build "Pulumi.$stack.yaml")
echo "ci: $ref ($sha) deploys $stack; image: $image; ${build_options//$'\n'/, }"
output stack "$stack"
output image "$image"
while IFS='=' read -r key value; do output "$key" "$value"; done <<<"$build_options"
