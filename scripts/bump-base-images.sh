#!/usr/bin/env bash
# Re-pins the Dockerfile's base images: for each "# base: <image>:<tag>"
# comment, resolves the tag's current digest in its registry and writes it into
# the FROM line below. Needs registry access and crane or docker (buildx).
#
#   scripts/bump-base-images.sh            rewrite the digests of app/Dockerfile
#   scripts/bump-base-images.sh --check    only report; exit 1 if a pin is stale
#   scripts/bump-base-images.sh [--check] path/to/Dockerfile
#
# To move to a new tag, edit the comment (for Go, also the toolchain line of
# app/go.mod; the cmd/api tests keep them equal) and run this script.
set -euo pipefail

mode="write"
if [ "${1:-}" = "--check" ]; then
  mode="check"
  shift
fi
dockerfile=${1:-"$(dirname "$0")/../app/Dockerfile"}
[ -f "$dockerfile" ] || { echo "bump-base-images: no Dockerfile at $dockerfile" >&2; exit 2; }

# The digest of the tag's manifest (the multi-platform index where there is one).
resolve() {
  if command -v crane >/dev/null; then
    crane digest "$1"
  elif command -v docker >/dev/null; then
    docker buildx imagetools inspect "$1" --format '{{.Manifest.Digest}}'
  else
    echo "bump-base-images: needs crane or docker with buildx to ask the registry" >&2
    return 2
  fi
}

mapfile -t lines <"$dockerfile"
stale=0
for i in "${!lines[@]}"; do
  [[ ${lines[i]} =~ ^#\ base:\ ([^[:space:]]+):([^:/[:space:]]+)$ ]] || continue
  image=${BASH_REMATCH[1]} tag=${BASH_REMATCH[2]}
  next=$((i + 1))
  from=${lines[next]:-}
  if ! [[ $from =~ ^(FROM (--platform=[^[:space:]]+ )?)([^[:space:]@]+)@(sha256:[0-9a-f]{64})(.*)$ ]] || [ "${BASH_REMATCH[3]}" != "$image" ]; then
    echo "bump-base-images: line $((next + 1)) must be 'FROM [--platform=...] $image@sha256:<digest> ...' under '# base: $image:$tag'" >&2
    exit 2
  fi
  head=${BASH_REMATCH[1]} pinned=${BASH_REMATCH[4]} rest=${BASH_REMATCH[5]}
  current=$(resolve "$image:$tag") || exit 2
  if ! [[ $current =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "bump-base-images: $image:$tag resolved to '$current', not a sha256 digest" >&2
    exit 2
  fi
  if [ "$current" = "$pinned" ]; then
    echo "$image:$tag: up to date ($pinned)"
    continue
  fi
  stale=1
  echo "$image:$tag: $pinned -> $current"
  lines[next]="$head$image@$current$rest"
done

if [ "$mode" = check ]; then
  exit "$stale"
fi
printf '%s\n' "${lines[@]}" >"$dockerfile.new"
mv "$dockerfile.new" "$dockerfile"
