# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Names and helpers shared by local-up.sh and local-down.sh. The same names
# stand in local/kind-config.yaml, Pulumi.local.yaml and local/addons/names.ts;
# test/local-names.test.ts keeps them in agreement.

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
# chosen per command (no global `pulumi login`), and a local-only passphrase.
export PULUMI_BACKEND_URL="file://$repo_root/.pulumi"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-only-passphrase}"
export PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$repo_root/.pulumi"

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The CLI of the `pulumi` npm package, pinned to the SDK's version.
pulumi() { "${GOAPI_PULUMI:-$repo_root/node_modules/.bin/pulumi}" "$@"; }

cluster_exists() { kind get clusters 2>/dev/null | grep -qx "$cluster"; }

# Pulumi.local.yaml is committed; creating a stack adds its encryption salt.
strip_salt() { sed -i.bak '/^encryptionsalt:/d' "$1" && rm -f "$1.bak"; }
