#!/usr/bin/env bash
# After `npm run local:down`: no cluster, no registry container, no builder,
# no state folder, and the checkout as it was.
set -eEuo pipefail
# shellcheck source=scripts/kind-e2e/lib.sh
source "$(dirname "$0")/lib.sh"
left=()
probe_cluster
[ "$found" = absent ] || left+=("the kind cluster $cluster")
probe_container "$registry_container"
[ "$found" = absent ] || left+=("the container $registry_container")
probe_builder
[ "$found" = absent ] || left+=("the BuildKit builder $builder")
[ ! -e "$state_dir" ] || left+=("the state folder .pulumi")
changed=$(git -C "$repo_root" status --porcelain)
[ -z "$changed" ] || left+=("changes in the checkout: $changed")
if [ "${#left[@]}" -gt 0 ]; then
  list=${left[0]}
  for item in "${left[@]:1}"; do list="$list; $item"; done
  stop "local:down left: $list" "see local:down's output"
fi
info "nothing of the local stack is left"
