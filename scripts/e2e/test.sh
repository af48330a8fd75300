#!/usr/bin/env bash
# npm run test:e2e: the stacks on real nodes. Builds what it needs once
# (scripts/cluster/build.sh, scripts/e2e/build.sh), starts the nodes in a
# temporary folder (scripts/e2e/up.sh), runs the checks in test/e2e against
# them, and tears everything down (scripts/e2e/down.sh), also on failure,
# Ctrl-C or SIGTERM. Needs root. Arguments go to jest, except:
#   --keep   leave the cluster and the stacks running afterwards (a
#            playground); it prints how to reach the API and how to stop it.
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
keep=0
args=()
for a in "$@"; do
  case $a in
    --keep) keep=1 ;;
    *) args+=("$a") ;;
  esac
done
[ "$(id -u)" = 0 ] || die "needs root: it makes a bridge and iptables rules and runs containerd and kubelets"
require go openssl node
[ -x "$repo_root/node_modules/.bin/jest" ] || die "node_modules is missing: run npm ci"

"$repo_root/scripts/e2e/install.sh"
"$repo_root/scripts/cluster/build.sh"
"$repo_root/scripts/e2e/build.sh"
(cd "$repo_root/app" && CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath -o "$e2e_bin/loadgen" ./bench/loadgen)

# A run killed before its teardown is recorded: undo it first.
if [ -f "$e2e_tools/active" ]; then
  say "a cluster from an earlier run is still recorded ($(cat "$e2e_tools/active")): tearing it down first"
  "$repo_root/scripts/e2e/down.sh" || die "could not tear down the earlier run's cluster"
fi

state=$(mktemp -d "${TMPDIR:-/tmp}/goapi-e2e.XXXXXX")
checks=""
started=$SECONDS
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$checks" ] && kill -0 "$checks" 2>/dev/null; then
    kill -TERM "$checks" 2>/dev/null || true
    wait "$checks" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ] && [ -f "$state/env" ]; then
    playground
    exit "$status"
  fi
  "$repo_root/scripts/e2e/down.sh" "$state" || status=1
  say "$([ "$status" = 0 ] && echo passed || echo FAILED) in $((SECONDS - started))s, torn down"
  exit "$status"
}
playground() {
  local kubectl="$bin_dir/kubectl --kubeconfig $state/plane/kubeconfig"
  say "kept running (--keep). The stacks' APIs, from this machine:"
  $kubectl get services --all-namespaces -l app.kubernetes.io/component=api \
    -o 'jsonpath={range .items[*]}{"  curl http://"}{.spec.clusterIP}{"/readyz   # "}{.metadata.namespace}{"\n"}{end}' 2>/dev/null || true
  say "a token: $kubectl -n goapi-local get secrets -l app.kubernetes.io/component=api -o jsonpath='{.items[0].data.API_TOKEN}' | base64 -d"
  say "kubectl: $kubectl get pods -A -o wide"
  say "stop it: npm run e2e:down"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$repo_root/scripts/e2e/up.sh" "$state"
say "nodes up in $((SECONDS - started))s"

# In the background so that a signal reaches the trap at once.
mkdir -p "$state/tmp"
TMPDIR="$state/tmp" GOAPI_E2E_STATE="$state" GOAPI_E2E_KEEP="$keep" \
  GOAPI_CLUSTER_KUBECONFIG="$state/plane/kubeconfig" GOAPI_CLUSTER_KUBECTL="$bin_dir/kubectl" \
  "$repo_root/node_modules/.bin/jest" --config "$repo_root/jest.e2e.config.js" "${args[@]}" &
checks=$!
wait "$checks"
checks=""
