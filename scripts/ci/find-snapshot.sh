#!/usr/bin/env bash
# Finds the run on main of this repository that published the newest redacted
# state of STACK (artifact preview-state-<stack>); writes run-id= (empty when
# there is none: the preview then runs against an empty stack and says so).
# Reads STACK, GITHUB_REPOSITORY, REPOSITORY_ID and GH_TOKEN (actions: read).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

gh api "repos/${GITHUB_REPOSITORY:?}/actions/artifacts?name=preview-state-${STACK:?}&per_page=100" > "$scratch/artifacts.json"
run=$(node "$ci_root/scripts/ci/github.mjs" snapshot-run "$scratch/artifacts.json" "${REPOSITORY_ID:?}")
if [ -z "$run" ]; then
  warn "no state of $STACK" "no redacted state of $STACK from main was found; the preview runs against an empty stack"
else
  echo "ci: the newest redacted state of $STACK is from run $run"
fi
output run-id "$run"
