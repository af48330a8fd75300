#!/usr/bin/env bash
# Removes everything local-up.sh made: the stacks (destroyed while the cluster
# is there), the kind cluster, the registry container and the local state.
# Safe to run twice.
set -euo pipefail
# shellcheck source=scripts/lib/local.sh
source "$(dirname "$0")/lib/local.sh"

remove_stack() { # dir
  local dir=$1
  if ! (cd "$dir" && pulumi stack select local >/dev/null 2>&1); then
    info "no stack local in ${dir#"$repo_root"/}"
    return
  fi
  if cluster_exists; then
    (cd "$dir" && pulumi destroy --yes --skip-preview --stack local)
  else
    info "cluster is gone; dropping the state of ${dir#"$repo_root"/} without destroying"
  fi
  (cd "$dir" && pulumi stack rm --yes --force --preserve-config --stack local)
  strip_salt "$dir/Pulumi.local.yaml"
}

step "Destroying the stacks"
if [ -x "${GOAPI_PULUMI:-$repo_root/node_modules/.bin/pulumi}" ]; then
  remove_stack "$repo_root"
  remove_stack "$addons_dir"
else
  info "no Pulumi CLI (node_modules missing): nothing to destroy"
fi

step "kind cluster '$cluster'"
if cluster_exists; then
  kind delete cluster --name "$cluster"
else
  info "already gone"
fi

step "Registry container $registry_container"
if docker inspect "$registry_container" >/dev/null 2>&1; then
  docker rm -f "$registry_container" >/dev/null
  info "removed"
else
  info "already gone"
fi

step "BuildKit builder $builder"
if docker buildx inspect "$builder" >/dev/null 2>&1; then
  docker buildx rm "$builder" >/dev/null
  info "removed (its build cache with it)"
else
  info "already gone"
fi

rm -rf "$repo_root/.pulumi"
step "Done: nothing of the local stack is left"
