# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Names and helpers shared by local-up.sh and local-down.sh. The same names
# stand in local/kind-config.yaml, Pulumi.local.yaml and local/addons/names.ts;
# test/local-names.test.ts keeps them in agreement.
#
# Sourcing this file changes nothing on the machine: the scripts write only
# after their checks pass. Every way they stop is one line on stderr,
# "<command> stopped: <cause>. Next: <what to run>", with a non-zero status;
# docs/local.md's troubleshooting quotes each of these lines.

cluster=goapi
context="kind-$cluster"
registry_container=kind-registry
registry_port=5001
registry_host="localhost:$registry_port"
# A BuildKit builder on the host network: the default docker-container builder
# has its own localhost, where nothing answers on the registry port.
builder=goapi-local
ingress_host=goapi.localhost
http_port=80

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kind_config="$repo_root/local/kind-config.yaml"
addons_dir="$repo_root/local/addons"

# Pulumi without an account: state in a gitignored folder of this checkout,
# chosen per command (no global `pulumi login`), and a local-only passphrase
# unless the user set their own.
state_dir="$repo_root/.pulumi"
export PULUMI_BACKEND_URL="file://$state_dir"
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=local-only-passphrase
fi
export PULUMI_SKIP_UPDATE_CHECK=true
# The committed Pulumi.local.yaml files are never handed to the CLI: creating
# a stack writes its encryption salt into the stack file, and any later save
# re-emits the whole file in the CLI's own style. The CLI gets a copy in the
# state folder instead (see stack_config), and takes the secrets provider from
# the stack's state, where `stack init` recorded it.
export PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true

me=${0##*/}
me=${me%.sh}
me=${me/-/:} # local:up, local:down
again="npm run $me"
current_step="starting"
on_interrupt_cleanup=""
tmp=""
last_err=""

step() {
  current_step=$*
  printf '\n==> %s\n' "$*"
}
info() { printf '    %s\n' "$*"; }

# The script's own stderr, for the stop line, which must be seen even when it
# comes from a trap that interrupted a command whose output was hidden.
exec 9>&2

# The one line a stop prints. $3 is the exit status (default 1).
stop() {
  printf '%s stopped: %s. Next: %s\n' "$me" "$1" "$2" >&9
  exit "${3:-1}"
}

on_interrupt() {
  trap '' INT TERM # a second Ctrl-C must not cut the clean-up short
  [ -z "$on_interrupt_cleanup" ] || "$on_interrupt_cleanup"
  stop "interrupted during \"$current_step\"; what was finished before is kept" "$again" 130
}
# Any command that fails without its own message (set -e) still ends in one
# line. Subshells leave the report to the shell that started them.
on_error() {
  local status=$?
  [ "$BASH_SUBSHELL" -eq 0 ] || exit "$status"
  stop "a command failed (status $status) during \"$current_step\"; its error is above" "$again" "$status"
}
on_exit() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap on_interrupt INT TERM
trap on_error ERR
trap on_exit EXIT

ensure_tmp() {
  [ -z "$tmp" ] || return 0
  tmp=$(mktemp -d)
  mkfifo "$tmp/stderr.fifo" # see run
}

# Runs a command with its stdout untouched (a terminal stays a terminal, so
# Pulumi keeps its live display) and its stderr shown and kept in $last_err,
# so the caller can tell known failures apart. The copying tee must outlive a
# Ctrl-C, or an interrupted Pulumi dies of a broken pipe before it has
# finished cancelling: it ignores SIGINT from before it starts, and the
# command starts only once tee holds the pipe (opening a FIFO waits for both
# ends), so there is no moment in which a Ctrl-C finds tee unprotected.
run() {
  ensure_tmp
  local status=0 tee_pid
  (
    trap '' INT
    exec tee "$tmp/stderr" <"$tmp/stderr.fifo" >&2
  ) &
  tee_pid=$!
  "$@" 2>"$tmp/stderr.fifo" || status=$?
  wait "$tee_pid" || true
  last_err=$(<"$tmp/stderr")
  return "$status"
}
# The same with stdout discarded and stderr shown only when the command fails.
run_quiet() {
  local status=0
  run "$@" >/dev/null 2>&1 || status=$?
  [ "$status" = 0 ] || printf '%s\n' "$last_err" >&2
  return "$status"
}

# The CLI of the `pulumi` npm package, pinned to the SDK's version, run as the
# binary itself rather than through the package's node launcher: on Ctrl-C the
# launcher exits at once while the CLI is still cancelling, so the script would
# report and exit before the CLI has written the state and released its lock.
# The package's resolve() finds the binary, downloading it from get.pulumi.com
# the first time. A prerequisite like the others: when it cannot be had, the
# problem names the release and where to put it by hand. npm ci runs first if
# node_modules is missing, once nothing else is.
pulumi_bin=""
need_pulumi() {
  command -v node >/dev/null || return 0 # need_node names it
  local package="$repo_root/node_modules/pulumi"
  if [ ! -f "$package/lib/resolve.js" ]; then
    [ "${#problems[@]}" -eq 0 ] || return 0
    step "Installing npm dependencies (npm ci)"
    (cd "$repo_root" && npm ci)
  fi
  ensure_tmp
  # shellcheck disable=SC2016 # JavaScript, not shell
  if run node -e 'require(process.argv[1]).resolve().then((bin) => console.log(bin), (e) => {
    console.error(e.message);
    process.exit(1);
  })' "$package/lib/resolve.js" >"$tmp/pulumi-bin"; then
    pulumi_bin=$(<"$tmp/pulumi-bin")
    PATH="${pulumi_bin%/*}:$PATH" # language hosts and plugins installed beside it
    return 0
  fi
  local version dir reason=${last_err##*$'\n'}
  version=$(node -e 'console.log(process.env.PULUMI_VERSION || require(process.argv[1]).version)' "$package/package.json")
  dir="${PULUMI_HOME:-$HOME/.pulumi}/versions/$version/bin"
  problems+=("the Pulumi CLI v$version could not be downloaded (${reason:-its error is above}): install it by hand into ${dir/#"$HOME"/\~}, as README.md shows (https://github.com/pulumi/pulumi/releases/tag/v$version)")
}
pulumi() { "$pulumi_bin" "$@"; }

rel() { [ "$1" = "$repo_root" ] && echo "./" || echo "${1#"$repo_root"/}"; }

# Prerequisites: each missing piece is added to $problems; check_tools stops
# with all of them on one line.
problems=()
need_docker_and_kind() { # both scripts: without these they cannot tell what exists
  if ! command -v docker >/dev/null; then
    problems+=("docker is not installed (https://docs.docker.com/get-docker/)")
  else
    docker info >/dev/null 2>&1 || problems+=("the Docker daemon is not reachable (start Docker Desktop, or: sudo systemctl start docker)")
    docker buildx version >/dev/null 2>&1 || problems+=("docker buildx is not installed (https://docs.docker.com/build/install-buildx/)")
  fi
  command -v kind >/dev/null || problems+=("kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)")
}
node_version=""
need_node() {
  node_version=$(node --version 2>/dev/null || echo none) # v22.1.0
  local major=${node_version#v}
  major=${major%%.*}
  case "$major" in '' | *[!0-9]*) major=0 ;; esac
  [ "$major" -ge 22 ] || problems+=("Node.js 22 or newer is required (found $node_version)")
}
check_tools() {
  [ "${#problems[@]}" -gt 0 ] || return 0
  local list=${problems[0]} p
  for p in "${problems[@]:1}"; do list="$list; $p"; done
  stop "missing prerequisites: $list" "$again"
}

# The state folder must be readable and writable by the user throughout (a
# `sudo npm run local:up` leaves it owned by root). Checked before anything
# changes, since a Pulumi run that cannot write its state leaves the stack
# half-recorded.
check_state_folder() {
  [ -e "$state_dir" ] || return 0
  local listing="" ok=1 f
  if [ ! -d "$state_dir" ] || ! listing=$(find -H "$state_dir" 2>/dev/null); then ok=0; fi
  local IFS=$'\n'
  for f in $listing; do
    if [ ! -r "$f" ] || [ ! -w "$f" ] || { [ -d "$f" ] && [ ! -x "$f" ]; }; then ok=0; fi
  done
  [ "$ok" = 1 ] || stop "the state folder .pulumi is not readable and writable by you (made with sudo?)" \
    "sudo chown -R \"\$USER\" .pulumi && $again"
}

# Stops with the line that explains a failed Pulumi command ($last_err).
pulumi_failed() { # what
  case "$last_err" in
    *"incorrect passphrase"* | *"passphrase must be set"*)
      stop "the local state was made with another passphrase than PULUMI_CONFIG_PASSPHRASE" \
        "PULUMI_CONFIG_PASSPHRASE='<the passphrase it was made with>' $again" ;;
    *"$state_dir/"*": permission denied"*)
      stop "the state folder .pulumi is not readable and writable by you (made with sudo?)" \
        "sudo chown -R \"\$USER\" .pulumi && $again" ;;
    *) stop "$1 failed (its error is above; the state is kept)" "fix that, then $again" ;;
  esac
}

# found=present|absent for the stack `local` of the project in $1. Asks the
# CLI; only its answer counts as "absent", never its failure.
probe_stack() { # dir
  found=absent
  [ -d "$state_dir" ] || return 0
  ensure_tmp
  local status=0
  run pulumi --cwd "$1" stack ls --json >"$tmp/stacks" 2>/dev/null || status=$?
  if [ "$status" != 0 ]; then
    printf '%s\n' "$last_err" >&2
    pulumi_failed "listing the stacks of $(rel "$1")"
  fi
  case "$(<"$tmp/stacks")" in
    *'"name": "local"'*) found=present ;;
  esac
}

# Reads each existing stack's secrets, so a changed passphrase stops the run
# before anything changes.
check_passphrase() { # dir...
  local dir
  for dir in "$@"; do
    probe_stack "$dir"
    [ "$found" = present ] || continue
    run_quiet pulumi --cwd "$dir" stack output --stack local --show-secrets --json ||
      pulumi_failed "reading the stack local of $(rel "$dir")"
  done
}

# The stack file the CLI reads and writes for the project in $1: a copy of the
# committed Pulumi.local.yaml in the state folder, renewed on every run so
# edits to the committed file take effect. Sets $stack_dir (a folder with a
# copy of Pulumi.yaml, where stacks are created) and $stack_file.
stack_config() { # dir
  local name
  name=$(sed -n 's/^name: *//p' "$1/Pulumi.yaml")
  stack_dir="$state_dir/stack-config/$name"
  stack_file="$stack_dir/Pulumi.local.yaml"
  mkdir -p "$stack_dir"
  cp "$1/Pulumi.yaml" "$stack_dir/Pulumi.yaml"
  cp "$1/Pulumi.local.yaml" "$stack_file"
}

# found=present|absent for the kind cluster. "absent" only when kind answered
# and did not list it; when kind cannot answer (Docker down, ...) this stops.
probe_cluster() {
  local clusters
  if ! clusters=$(kind get clusters 2>/dev/null); then
    stop "cannot tell whether the kind cluster $cluster exists (kind get clusters failed)" \
      "kind get clusters (to see why), then $again"
  fi
  case $'\n'"$clusters"$'\n' in
    *$'\n'"$cluster"$'\n'*) found=present ;;
    *) found=absent ;;
  esac
}

# found=running|stopped|absent for a container; the same rule as above.
probe_container() { # name
  local names
  if ! names=$(docker ps -a --format '{{.Names}}' 2>/dev/null); then
    stop "cannot tell whether the container $1 exists (docker ps -a failed)" "docker ps -a (to see why), then $again"
  fi
  case $'\n'"$names"$'\n' in
    *$'\n'"$1"$'\n'*) ;;
    *) found=absent; return ;;
  esac
  case "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null || true)" in
    true) found=running ;;
    false) found=stopped ;;
    *) stop "cannot tell whether the container $1 is running (docker inspect failed)" "docker inspect $1 (to see why), then $again" ;;
  esac
}

# found=present|absent for the BuildKit builder: "absent" only when buildx
# says it has no such builder.
probe_builder() {
  ensure_tmp
  if docker buildx inspect "$builder" >/dev/null 2>"$tmp/buildx"; then
    found=present
    return
  fi
  case "$(<"$tmp/buildx")" in
    *"no builder \"$builder\" found"*) found=absent ;;
    *) stop "cannot tell whether the BuildKit builder $builder exists (docker buildx inspect failed)" \
      "docker buildx inspect $builder (to see why), then $again" ;;
  esac
}

port_taken() { # "$last_err" of a docker or kind command
  case "$last_err" in
    *"port is already allocated"* | *"address already in use"*) return 0 ;;
    *) return 1 ;;
  esac
}
