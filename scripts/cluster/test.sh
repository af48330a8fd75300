#!/usr/bin/env bash
# npm run test:cluster: builds the pinned control plane once, starts it on
# loopback in a temporary folder, runs the checks in test/cluster against it,
# and always stops every process it started and removes the folder, also on
# failure, Ctrl-C or SIGTERM. Arguments go to jest (e.g. a stack's file name).
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
require go openssl node
[ -x "$repo_root/node_modules/.bin/jest" ] || die "node_modules is missing: run npm ci"

"$repo_root/scripts/cluster/build.sh"

state=$(mktemp -d "${TMPDIR:-/tmp}/goapi-cluster.XXXXXX")
checks=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$checks" ] && kill -0 "$checks" 2>/dev/null; then
    kill -TERM "$checks" 2>/dev/null || true
    wait "$checks" 2>/dev/null || true
  fi
  "$repo_root/scripts/cluster/down.sh" "$state" || status=1
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$repo_root/scripts/cluster/up.sh" "$state"

# In the background so that a signal reaches the trap at once; the checks'
# temporary files go to the state folder, which down.sh removes.
mkdir -p "$state/tmp"
started=$SECONDS
TMPDIR="$state/tmp" GOAPI_CLUSTER_KUBECONFIG="$state/kubeconfig" GOAPI_CLUSTER_KUBECTL="$bin_dir/kubectl" \
  "$repo_root/node_modules/.bin/jest" --config "$repo_root/jest.cluster.config.js" "$@" &
checks=$!
wait "$checks"
checks=""
say "checks passed in $((SECONDS - started))s"
