#!/usr/bin/env bash
# Right after `npm run local:up`: a second update must change nothing, in
# either project (pulumi preview --expect-no-changes fails on any change).
set -eEuo pipefail
# shellcheck source=scripts/kind-e2e/lib.sh
source "$(dirname "$0")/lib.sh"
for dir in "$repo_root" "$addons_dir"; do
  step "pulumi preview --expect-no-changes of $(rel "$dir")"
  stack_config "$dir"
  run pulumi --cwd "$dir" preview --expect-no-changes --stack local --config-file "$stack_file" ||
    stop "a second update of $(rel "$dir") would change something (the preview above)" "fix the program, then $again"
done
