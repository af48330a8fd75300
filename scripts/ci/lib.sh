# shellcheck shell=bash
# Shared by the CI scripts: the pinned Pulumi CLI, backend login, a private
# scratch folder, the kubeconfig, GitHub annotations and step outputs.
# Every credential stays inside the script that needs it: it arrives in an
# environment variable, goes to the CLI through the environment or a file in
# the private folder (never argv), and the login ends when the script does.

ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The Pulumi project to operate on; the drift check points it at the deployed commit.
project_dir="${PROJECT_DIR:-$ci_root}"
export PULUMI_SKIP_UPDATE_CHECK=true

# The value every secret takes where pull-request code runs (redacted state, stack config).
# shellcheck disable=SC2034 # used by the scripts that source this file
redacted="redacted-for-preview"

note() { printf '::notice title=%s::%s\n' "$1" "$2"; }
warn() { printf '::warning title=%s::%s\n' "$1" "$2"; }
fail() { printf '::error title=%s::%s\n' "$1" "$2" >&2; exit 1; }

# key=value for later steps and jobs; ignored outside GitHub Actions.
output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:-/dev/null}"; }
summary() { cat >> "${GITHUB_STEP_SUMMARY:-/dev/null}"; }

# The CLI of the `pulumi` npm package, pinned in package.json to the SDK's version.
pulumi() { "${GOAPI_PULUMI:-$project_dir/node_modules/.bin/pulumi}" "$@"; }

# A folder only this user can read, for credentials and scratch files; it goes
# when the script ends, after the backend logout.
scratch=$(umask 077 && mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/goapi-ci.XXXXXX")
# The kubeconfig's path, unlike its contents, becomes an input of the stack's
# Kubernetes provider (from KUBECONFIG), so it must be the same in every job:
# a plan made with one path is violated by an apply with another.
kubeconfig_file="${RUNNER_TEMP:-$scratch}/kubeconfig"
logged_in=false
finish() {
  if [ "$logged_in" = true ]; then pulumi logout --all >/dev/null 2>&1 || true; fi
  rm -rf "$scratch"
  rm -f "$kubeconfig_file"
}
trap finish EXIT

# Writes the kubeconfig held in the variable named $1 to a file only this user
# can read, points KUBECONFIG at it and drops the variable, so child processes
# see only the path. The file goes when the script ends.
use_kubeconfig() {
  local name=$1
  [ -n "${!name:-}" ] || fail "no kubeconfig" "$name is empty: add the secret (docs/ci.md, Setting it up)"
  (umask 077 && printf '%s\n' "${!name}" > "$kubeconfig_file")
  unset "$name"
  export KUBECONFIG="$kubeconfig_file"
}

is_self_managed() {
  case "${PULUMI_BACKEND_URL:-}" in
    s3://* | gs://* | azblob://* | file://* | postgres://*) return 0 ;;
    *) return 1 ;;
  esac
}

# Logs in to the stack's backend and logs out when the script ends:
# - a self-managed backend (PULUMI_BACKEND_URL s3://, gs://, ...) with the cloud
#   credentials in the environment;
# - Pulumi Cloud (or a self-hosted https:// one) through OIDC when PULUMI_OIDC_ORG
#   is set: the job's GitHub ID token is exchanged by the CLI for a short-lived
#   Pulumi token of PULUMI_OIDC_TEAM; else a PULUMI_ACCESS_TOKEN from the environment.
pulumi_login() {
  local url="${PULUMI_BACKEND_URL:-}"
  if is_self_managed; then
    echo "ci: logging in to the self-managed backend ${url%%://*}://…"
    pulumi login "$url" >/dev/null
  elif [ -n "${PULUMI_OIDC_ORG:-}" ]; then
    [ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] ||
      fail "no OIDC token" "PULUMI_OIDC_ORG is set but the job may not request an ID token (permissions: id-token: write)"
    printf 'Authorization: bearer %s\n' "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" > "$scratch/request-header"
    curl -fsS --retry 3 -H "@$scratch/request-header" \
      "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=urn:pulumi:org:$PULUMI_OIDC_ORG" |
      sed -n 's/.*"value" *: *"\([^"]*\)".*/\1/p' > "$scratch/id-token"
    [ -s "$scratch/id-token" ] || fail "no OIDC token" "GitHub returned no ID token"
    echo "ci: logging in to Pulumi Cloud through OIDC as team ${PULUMI_OIDC_TEAM:-<org token>} of $PULUMI_OIDC_ORG"
    pulumi login ${url:+"$url"} --oidc-token "file://$scratch/id-token" --oidc-org "$PULUMI_OIDC_ORG" \
      ${PULUMI_OIDC_TEAM:+--oidc-team "$PULUMI_OIDC_TEAM"} >/dev/null
    rm -f "$scratch/id-token" "$scratch/request-header"
  elif [ -n "${PULUMI_ACCESS_TOKEN:-}" ]; then
    echo "ci: logging in to Pulumi Cloud with PULUMI_ACCESS_TOKEN"
    pulumi login ${url:+"$url"} >/dev/null
  else
    fail "no backend" "set PULUMI_BACKEND_URL (self-managed), PULUMI_OIDC_ORG (Pulumi Cloud through OIDC) or the PULUMI_ACCESS_TOKEN secret (docs/ci.md)"
  fi
  logged_in=true
}

# The stack as the backend names it: PULUMI_STACK_PREFIX (org/project/) + dev or prod.
stack_ref() { printf '%s%s\n' "${PULUMI_STACK_PREFIX:-}" "$STACK"; }

select_stack() {
  cd "$project_dir" || exit
  pulumi stack select "$(stack_ref)" ||
    fail "no stack $(stack_ref)" "create it once by hand: npx pulumi stack init $(stack_ref) (docs/ci.md)"
}

# A committed rollback pin: .github/pins/<stack>.image names the image CI
# deploys to the stack instead of building one (docs/ci.md, Roll back). Sets
# pin= to it, or to "" without a pin file; fails on anything but a digest.
read_pin() {
  local file="$ci_root/.github/pins/$STACK.image"
  pin=""
  [ -f "$file" ] || return 0
  pin=$(tr -d ' \t\r\n' < "$file")
  # The same pattern as scripts/lib/image-ref.sh, kept here: the preview and
  # drift jobs check out only scripts/ci/, so this file cannot source that one.
  [[ "$pin" =~ ^[a-z0-9][a-z0-9._/:-]*@sha256:[a-f0-9]{64}$ ]] ||
    fail "bad pin" ".github/pins/$STACK.image must hold one image pinned by digest (<repository>@sha256:<64 hex digits>), not '$pin'"
}

# Deploys the image CI built (or the pin), unless the stack file itself sets
# goapi:image.ref, which then wins. Prints the reference in effect (and
# nothing else on stdout: callers capture it).
use_image() {
  local ref=$1 pinned
  if pinned=$(pulumi config get --path goapi:image.ref 2>/dev/null) && [ -n "$pinned" ]; then
    [ -z "$ref" ] || [ "$ref" = "$pinned" ] ||
      warn "image set in the stack file" "Pulumi.$STACK.yaml sets goapi:image.ref=$pinned; the image $ref is not deployed" >&2
    printf '%s\n' "$pinned"
    return
  fi
  [ -n "$ref" ] || fail "no image" "no image reference to deploy and no goapi:image.ref in Pulumi.$STACK.yaml"
  pulumi config set --path goapi:image.ref "$ref" >/dev/null
  printf '%s\n' "$ref"
}

# After a failed update: why the stack's pods fail, each with its reason, last
# events and last log lines (rollout/cli.ts), in the log and the job summary.
# The state reaches the explainer on a pipe, with the secrets it redacts;
# kubectl reaches the cluster through $KUBECONFIG and the provider's context.
explain_rollout() {
  pulumi stack export --show-secrets 2>/dev/null |
    "$ci_root/node_modules/.bin/ts-node" --transpile-only --swc "$ci_root/rollout/cli.ts" > "$scratch/rollout.txt" || true
  cat "$scratch/rollout.txt"
  [ ! -s "$scratch/rollout.txt" ] || { printf '## Why the update of %s failed\n\n' "$STACK"; fenced text "$scratch/rollout.txt"; } | summary
}

# The release of a canary stack (rollout/release-cli.ts: mark, watch, status),
# with the stack's state on stdin.
release() {
  "$ci_root/node_modules/.bin/ts-node" --transpile-only --swc "$ci_root/rollout/release-cli.ts" "$@"
}

# A fenced block for the job summary, cut to what a summary or comment can hold.
fenced() {
  local lang=$1 file=$2 limit=${3:-60000}
  printf '```%s\n' "$lang"
  head -c "$limit" "$file"
  [ "$(wc -c < "$file")" -le "$limit" ] || printf '\n… cut at %s bytes: the job log has the rest\n' "$limit"
  printf '\n```\n'
}
