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
# The delivery controllers' CRDs, each project's files as its module ships them
# (folder, module, path in the module, files): up.sh applies every file.
crds_root="${GOAPI_CLUSTER_CRDS_ROOT:-$repo_root/.tools/crds}"
delivery_crds=(
  "flagger-$flagger_version github.com/fluxcd/flagger@v$flagger_version artifacts/flagger crd.yaml"
  "keda-$keda_version github.com/kedacore/keda/v2@v$keda_version config/crd/bases keda.sh_scaledobjects.yaml"
  "gateway-api-$gateway_api_version sigs.k8s.io/gateway-api@v$gateway_api_version config/crd/standard gateway.networking.k8s.io_httproutes.yaml"
)
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
  # The last line: a change to what build.sh builds.
  printf 'kubernetes %s\netcd %s\nkwok %s\ngo %s\nrecipe 2 (with kubelet, kube-proxy)\n' \
    "$kubernetes_version" "$etcd_version" "$kwok_version" "$(go env GOVERSION)"
}

# Whether a build can be skipped: the stamp file holds exactly WANTED (the
# versions and recipe a build would use) and every binary is in DIR, executable.
# A build removes its stamp first and writes it last, so a build that stopped
# halfway is never taken for a finished one.
binaries_current() { # STAMP WANTED DIR BINARY...
  local stamp=$1 wanted=$2 dir=$3 binary
  shift 3
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] || return 1
  for binary in "$@"; do [ -x "$dir/$binary" ] || return 1; done
}

# A build's start once binaries_current said no: its stamp goes first (see
# above), its folders are made, and the clock that step reads starts.
start_build() { # STAMP DIR...
  rm -f "$1"
  shift
  mkdir -p "$@"
  build_started=$SECONDS
}

# One line per step of a build, with the seconds since start_build.
step() { say "[$((SECONDS - build_started))s] $*"; }

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

# Builds Kubernetes commands (k8s.io/kubernetes/cmd/<name>) into OUT through a
# wrapper module in SRC: `go install pkg@version` refuses modules whose go.mod
# has replace directives, as k8s.io/kubernetes has. build.sh passes every
# command at once (the plane's and the nodes'), so one go build compiles each
# shared package once.
build_kubernetes() { # SRC MODULE OUT CMD...
  local src=$1 module=$2 out=$3 gomod minor cmd
  shift 3
  minor=${kubernetes_version#1.}
  minor=${minor%%.*}
  mkdir -p "$src"
  gomod=$(go mod download -json "k8s.io/kubernetes@v$kubernetes_version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@v$kubernetes_version"
  {
    printf 'module %s\n\ngo 1.26\n\n' "$module"
    # The Kubernetes release builds with its own GODEBUG defaults.
    printf 'godebug default=go1.24\n\n'
    printf 'require k8s.io/kubernetes v%s\n\nreplace (\n' "$kubernetes_version"
    # k8s.io/kubernetes replaces its staging modules with local paths; point each
    # at its published release instead.
    grep -E '=> \./staging/' "$gomod" | awk -v v="v0.${kubernetes_version#1.}" '{ print "\t" $1 " => " $1 " " v }'
    printf ')\n'
  } >"$src/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n' >"$src/tools.go"
  for cmd in "$@"; do
    printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd" >>"$src/tools.go"
  done
  printf ')\n' >>"$src/tools.go"
  (cd "$src" && go mod tidy 2>&1 | progress)
  # `go build -v` prints each package as it compiles: the progress.
  (cd "$src" && go build -v -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$kubernetes_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    -o "$out/" "${@/#/k8s.io/kubernetes/cmd/}" 2>&1 | progress)
}
