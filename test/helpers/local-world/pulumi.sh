#!/usr/bin/env bash
# Stub pulumi: stacks of the file backend in $PULUMI_BACKEND_URL, at the paths
# the real CLI uses, holding what the real state would say: the passphrase it
# was made with, whether the Kubernetes objects and the image exist, the
# generated API token. It writes stack files as the real CLI does: creating a
# stack, and an `up` or `destroy` whose stack file has no encryption salt,
# append `encryptionsalt: ...` and re-emit flow maps in the CLI's style.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
# Like the real CLI, a Ctrl-C lets the step in flight finish and the state be
# written before it exits; the file it leaves shows that the script waited.
cancel() {
  echo "^C received; cancelling. If you would like to terminate immediately, press ^C again."
  echo "error: update canceled" >&2
  sleep 0.2
  : >"$W/pulumi-cancelled"
  exit 255
}
trap cancel INT
block_point "$@"

fail() { echo "error: $*" >&2; exit 255; }
dir=$PWD
args=()
config_file="" refresh=0 show_secrets=0 preserve=0 create=0 all=0 replace=""
while [ $# -gt 0 ]; do
  case $1 in
    --cwd) dir=$2; shift ;;
    --replace) replace=$2; shift ;;
    --config-file) config_file=$2; shift ;;
    --refresh) refresh=1 ;;
    --show-secrets) show_secrets=1 ;;
    --preserve-config) preserve=1 ;;
    --create) create=1 ;;
    --all) all=1 ;;
    *) args+=("$1") ;;
  esac
  shift
done
set -- "${args[@]}"

backend=${PULUMI_BACKEND_URL#file://}
[ -d "$backend" ] || { echo "error: unable to open state directory \"$PULUMI_BACKEND_URL\": stat $backend: no such file or directory" >&2; exit 1; }
if [ ! -r "$backend" ] || [ ! -x "$backend" ]; then
  fail "read \".pulumi/meta.yaml\": blob (key \".pulumi/meta.yaml\") (code=Unknown): stat $backend/.pulumi/meta.yaml: permission denied"
fi
project=""
while IFS= read -r line; do
  case $line in "name: "*) project=${line#name: } ;; esac
done <"$dir/Pulumi.yaml"
stacks="$backend/.pulumi/stacks/$project"
state="$stacks/local.json"
objects="$W/objects/$project"
if [ -e "$state" ] && [ ! -r "$state" ]; then
  fail "failed to load checkpoint: blob (key \".pulumi/stacks/$project/local.json\") (code=Unknown): open $state: permission denied"
fi

# The stack's state: passphrase, k8s (1 when its objects exist), image, token.
passphrase="" k8s=0 image="" token=""
if [ -e "$state" ]; then
  while IFS='=' read -r key value; do printf -v "$key" '%s' "$value"; done <"$state"
fi
save_state() {
  printf 'passphrase=%s\nk8s=%s\nimage=%s\ntoken=%s\n' "$passphrase" "$k8s" "$image" "$token" >"$state"
}
need_stack() { [ -e "$state" ] || fail "no stack named 'local' found"; }
# A wrong passphrase fails where the state's secrets must be decrypted.
unlock() {
  [ -n "$token" ] || return 0
  [ "$passphrase" = "${PULUMI_CONFIG_PASSPHRASE-}" ] && return 0
  echo "error: failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase" >&2
  exit 1
}
# What the real CLI's save of a stack file does to it.
save_config() {
  local f=$1
  local line lines=()
  if [ -e "$f" ]; then
    while IFS= read -r line; do
      case $line in
        encryptionsalt:*) return ;;
        *"{ "*" }") line=${line/\{ /\{}; line=${line% \}}\} ;;
      esac
      lines+=("$line")
    done <"$f"
  fi
  printf '%s\n' ${lines[@]+"${lines[@]}"} "encryptionsalt: v1:c3R1YnNhbHQ=:v1:stub:stub" >"$f"
}
reach_cluster() {
  if docker_down || ! cluster_ready; then
    fail "configured Kubernetes cluster is unreachable: Get \"https://127.0.0.1:40111/openapi/v2\": dial tcp 127.0.0.1:40111: connect: connection refused"
  fi
}
# The URN of the stack's image, as the real CLI names it.
stub_digest=sha256:5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e
image_urn="urn:pulumi:local::goapi::goapi:index:ApiImage\$docker-build:index:Image::api"

case "$1 ${2:-}" in
  "stack ls")
    if [ "$all" = 1 ]; then
      names=()
      for f in "$backend"/.pulumi/stacks/*/*.json; do
        [ ! -e "$f" ] || names+=("${f%/*}")
      done
      echo '['
      [ "${#names[@]}" = 0 ] || printf '  {"name": "%s/local"}\n' "${names[@]##*/}"
      echo ']'
    elif [ -e "$state" ]; then
      printf '[\n  {\n    "name": "local",\n    "current": false\n  }\n]\n'
    else
      echo '[]'
    fi ;;
  "stack select")
    if [ ! -e "$state" ]; then
      [ "$create" = 1 ] || fail "no stack named 'local' found"
      mkdir -p "$stacks"
      passphrase=${PULUMI_CONFIG_PASSPHRASE-}
      save_state
      save_config "$dir/Pulumi.local.yaml"
      echo "Created stack 'local'" >&2
    fi ;;
  "stack output")
    need_stack
    [ "$show_secrets" = 0 ] || unlock
    case "${3:-}" in
      url) echo http://goapi.localhost/ ;;
      grafanaUrl) echo http://grafana.localhost/ ;;
      tracesUrl) echo http://traces.localhost/ ;;
      namespace) echo goapi ;;
      deploymentName) echo goapi-0a1b2c3d ;;
      imageRef) [ -n "$image" ] || fail "current stack does not have output property 'imageRef'"; echo "$image" ;;
      token) if [ "$show_secrets" = 1 ]; then echo "$token"; else echo "[secret]"; fi ;;
      *) printf '{\n  "url": "http://goapi.localhost/"\n}\n' ;;
    esac ;;
  preview*)
    need_stack
    unlock
    reach_cluster
    # The world's fault "drift": a second update of this project would change something.
    if [ -e "$W/drift" ]; then
      echo "    ~ kubernetes:apps/v1:Deployment goapi update [diff: ~spec]"
      fail "no changes were expected but changes were proposed"
    fi
    echo "Resources: 12 unchanged" ;;
  "stack export")
    need_stack
    [ "$show_secrets" = 0 ] || unlock
    resources=""
    # The world's fault "prebuilt-image": goapi:image.ref names an image, so the stack builds none.
    [ -z "$image" ] || [ -e "$W/prebuilt-image" ] || resources=$(printf '{"urn":"%s","type":"docker-build:index:Image"}' "$image_urn")
    printf '{"version":3,"deployment":{"resources":[%s],"token":"%s"}}\n' "$resources" "$( [ "$show_secrets" = 1 ] && printf '%s' "$token" || echo '[secret]')" ;;
  "stack rm")
    need_stack
    rm -f "$state"
    [ "$preserve" = 1 ] || rm -f "$dir/Pulumi.local.yaml" ;;
  "up "* | "destroy "*)
    need_stack
    unlock
    save_config "${config_file:-$dir/Pulumi.local.yaml}"
    reach_cluster
    if [ "$1" = destroy ]; then
      echo "Destroying (local):"
      rm -f "$objects"
      k8s=0 image="" token=""
    else
      echo "Updating (local):"
      if [ "$refresh" = 1 ] && [ "$k8s" = 1 ] && [ ! -e "$objects" ]; then
        echo "    refresh: the objects of $project are gone from the cluster"
        k8s=0
      fi
      # As the real provider: the refresh never finds the image gone from this
      # plain-HTTP registry (docs/local.md); only a replace builds it again.
      if [ -n "$replace" ]; then
        if [ "$replace" != "$image_urn" ] || [ -z "$image" ]; then fail "target '$replace' does not exist in the stack"; fi
        echo "    +- docker-build:index:Image api replace"
        image=""
      fi
      if [ "$project" = goapi ]; then
        if [ -e "$W/app-build-broken" ]; then
          fail "docker-build:index:Image api: error: failed to build image: process \"/bin/sh -c go build ./cmd/api\" did not complete successfully: exit code: 1"
        fi
        if [ -z "$image" ]; then
          [ -e "$W/builder" ] || fail "docker-build:index:Image api: ERROR: no builder \"goapi-local\" found"
          fact registry
          [ "$fact" = running ] || fail "docker-build:index:Image api: pushing localhost:5001/goapi: dial tcp 127.0.0.1:5001: connect: connection refused"
          echo "$stub_digest" >>"$W/registry-images"
          image=localhost:5001/goapi@$stub_digest
        fi
        [ -n "$token" ] || { fact token && token=$fact; }
        if [ -e "$W/rollout-failing" ]; then
          save_state
          fail "kubernetes:apps/v1:Deployment goapi: 'goapi/goapi-0a1b2c3d' timed out waiting to be Ready"
        fi
      fi
      if [ "$k8s" != 1 ]; then
        [ -d "$W/objects" ] || mkdir "$W/objects"
        echo "$image" >"$objects"
        k8s=1
      fi
    fi
    save_state
    echo "Resources: done" ;;
  *) echo "stub pulumi: unexpected call: $*" >&2; exit 99 ;;
esac
