# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Paths and helpers shared by the scripts that build, start and stop the
# loopback control plane.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/cluster/versions.sh
. "$repo_root/scripts/cluster/versions.sh"

tools_dir="${GOAPI_CLUSTER_TOOLS:-$repo_root/.tools/cluster}"
bin_dir="$tools_dir/bin"
src_dir="$tools_dir/src"
stages_file="$tools_dir/kwok-stages.yaml"
stamp_file="$tools_dir/built-versions"
# The CRDs up.sh installs; beside the binaries' folder, which may be shared read-only.
crds_dir="${GOAPI_CLUSTER_CRDS:-$repo_root/.tools/crds/prometheus-operator-$prometheus_operator_version}"
crds=(servicemonitors prometheusrules)
# Where `npm run cluster:up` keeps a plane for manual work.
manual_state="$tools_dir/up"

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# One line naming the first missing prerequisite, before anything slow starts.
require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required but was not found on PATH"
  done
}

# The versions the binaries in $bin_dir were built from; a change rebuilds.
wanted_stamp() {
  printf 'kubernetes %s\netcd %s\nkwok %s\ngo %s\n' \
    "$kubernetes_version" "$etcd_version" "$kwok_version" "$(go env GOVERSION)"
}

# Condenses `go build -v` / `go mod` output (a line per package or module) to
# a running count, on one rewritten line on a terminal and every 100 lines
# elsewhere; anything else (compiler errors) passes through unchanged.
progress() {
  local count=0 line last=""
  while IFS= read -r line; do
    case $line in
      "go: "*) last=${line#go: } ;;
      *" "* | "" | "#"*)
        printf '%s\n' "$line"
        continue
        ;;
      *) last=$line ;;
    esac
    count=$((count + 1))
    if [ -t 1 ]; then
      printf '\r\033[K    %d  %.100s' "$count" "$last"
    elif [ $((count % 100)) = 0 ]; then
      printf '    %d  %s\n' "$count" "$last"
    fi
  done
  if [ -t 1 ]; then printf '\r\033[K'; fi
  printf '    %d packages/modules\n' "$count"
}

# The cluster, context and user name in the kubeconfig that up.sh writes.
context_name=goapi-loopback

# The control plane's processes, in the order they start; down.sh stops them
# in reverse.
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# Does $1 still run one of our binaries? A recorded PID may have been reused
# by an unrelated process since; only ours are signalled.
is_ours() {
  local pid=$1 args
  if [ -r "/proc/$pid/cmdline" ]; then
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  else
    args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
  fi
  case $args in *"$bin_dir/"*) return 0 ;; *) return 1 ;; esac
}
