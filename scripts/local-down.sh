#!/usr/bin/env bash
# Removes everything local-up.sh made: the stacks (destroyed while the cluster
# is there), the kind cluster, the registry container, the BuildKit builder
# and the local state.
# Safe to run twice. It drops state, or reports something as gone, only when
# kind, Docker or buildx answered that it is gone: when they cannot answer, it
# stops.
set -eEuo pipefail
# shellcheck source=scripts/lib/local.sh
source "$(dirname "$0")/lib/local.sh"

step "Checking prerequisites"
need_docker_and_kind
if [ -d "$state_dir" ]; then # the Pulumi CLI runs only when there is state
  need_node
  need_pulumi
fi
check_tools
check_state_folder
info "docker, docker buildx, kind: ok"

step "Destroying the stacks"
if [ -d "$state_dir" ]; then
  probe_cluster
  cluster_found=$found
  [ "$cluster_found" = absent ] || check_passphrase "$repo_root" "$addons_dir"
  for dir in "$repo_root" "$addons_dir"; do
    probe_stack "$dir"
    if [ "$found" = absent ]; then
      info "no stack local in $(rel "$dir")"
      continue
    fi
    if [ "$cluster_found" = present ]; then
      stack_config "$dir"
      run pulumi --cwd "$dir" destroy --yes --skip-preview --stack local --config-file "$stack_file" ||
        pulumi_failed "pulumi destroy of the stack local of $(rel "$dir")"
    else
      info "kind lists no cluster $cluster: dropping the state of $(rel "$dir") without destroying"
    fi
    # --preserve-config: without it the CLI deletes the committed Pulumi.local.yaml.
    run_quiet pulumi --cwd "$dir" stack rm --yes --force --preserve-config --stack local ||
      pulumi_failed "removing the stack local of $(rel "$dir")"
  done
else
  info "no local state (.pulumi): nothing to destroy"
fi

step "kind cluster '$cluster'"
probe_cluster
if [ "$found" = present ]; then
  run kind delete cluster --name "$cluster" || stop "kind could not delete the cluster $cluster; its error is above" "fix that, then $again"
else
  info "already gone (kind lists no cluster $cluster)"
fi

step "Registry container $registry_container"
probe_container "$registry_container"
if [ "$found" = absent ]; then
  info "already gone (docker lists no container $registry_container)"
else
  run docker rm -f "$registry_container" >/dev/null || stop "docker could not remove the container $registry_container; its error is above" "fix that, then $again"
  info "removed"
fi

step "BuildKit builder $builder"
probe_builder
if [ "$found" = absent ]; then
  info "already gone (docker buildx has no builder $builder)"
else
  run docker buildx rm "$builder" >/dev/null || stop "docker buildx could not remove the builder $builder; its error is above" "fix that, then $again"
  info "removed (its build cache with it)"
fi

# Both stacks are destroyed, or their cluster confirmed gone: what is left in
# the state folder (history, backups, stack file copies) tracks nothing of
# theirs. A stack someone made by hand with this backend keeps it all.
if [ -d "$state_dir" ]; then
  run pulumi --cwd "$repo_root" stack ls --all --json >"$tmp/stacks" 2>/dev/null ||
    pulumi_failed "listing the stacks left in .pulumi"
  case "$(<"$tmp/stacks")" in
    *'"name"'*) info "kept .pulumi: it holds other stacks (npx pulumi stack ls --all, with PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL)" ;;
    *) rm -rf "$state_dir" ;;
  esac
fi
step "Done: nothing of the local stack is left"
