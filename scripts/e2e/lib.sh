# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Paths and helpers shared by the scripts that build, start and stop the real
# nodes of `npm run test:e2e` (on top of the loopback plane of scripts/cluster).

# shellcheck source=scripts/cluster/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

e2e_tools="${GOAPI_E2E_TOOLS:-$repo_root/.tools/e2e}"
e2e_bin="$e2e_tools/bin"
e2e_src="$e2e_tools/src"
e2e_stamp="$e2e_tools/built-versions"
# Where `npm run test:e2e -- --keep` leaves a running cluster.
e2e_kept="$e2e_tools/kept"

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }

# The versions the binaries in $e2e_bin were built from; a change rebuilds.
e2e_wanted_stamp() {
  # The last line: a change to how build.sh builds.
  printf 'coredns %s\nbuildkit %s\nkube-router %s\ngo %s\nrecipe 3\n' \
    "$coredns_version" "$buildkit_version" "$kube_router_version" "$(go env GOVERSION)"
}

# The local registry, on loopback only; the nodes' containerd pulls from it
# over plain HTTP.
registry=127.0.0.1:5000
# The pod bridge, its network, and the address the nodes and the host use on it.
bridge=goapi-br0
pod_cidr=10.85.0.0/24
node_ip=10.85.0.1
service_cidr=10.96.0.0/16
dns_service_ip=10.96.0.10
# Each node's share of the pod network (host-local ranges on the one bridge).
node_names=(goapi-e2e-node-1 goapi-e2e-node-2)
node_ranges=("10.85.0.16-10.85.0.127" "10.85.0.128-10.85.0.250")

# Builds with BuildKit (up.sh starts it at $state/buildkitd.sock) and pushes
# to the local registry; prints the pushed image by digest.
push_build() { # state name buildctl-build-args...
  local state=$1 name=$2 meta digest
  shift 2
  meta="$state/images/$name.meta.json"
  mkdir -p "$state/images"
  "$e2e_bin/buildctl" --addr "unix://$state/buildkitd.sock" build --frontend dockerfile.v0 \
    --output "type=image,name=$registry/goapi-e2e/$name:latest,push=true,registry.insecure=true" \
    --metadata-file "$meta" "$@" >"$state/logs/build-$name.log" 2>&1 \
    || { tail -n 30 "$state/logs/build-$name.log" >&2; die "the image $name did not build (log: $state/logs/build-$name.log)"; }
  digest=$(sed -n 's/.*"containerimage.digest": *"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$meta")
  [ -n "$digest" ] || die "no digest in $meta"
  printf '%s/goapi-e2e/%s@%s\n' "$registry" "$name" "$digest"
}
