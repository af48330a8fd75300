#!/usr/bin/env bash
# The drift check of STACK: with the program of the deployed commit (PROJECT_DIR)
# and the deployed image, `pulumi preview --refresh --expect-no-changes` reads
# every object back from the cluster and fails if a deploy would change
# anything, i.e. if the cluster or the state drifted from what was deployed.
# The diff goes to the job summary. Reads STACK, PROJECT_DIR, KUBECONFIG_DATA
# (an identity that may read the stack's objects) and the backend variables.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

use_kubeconfig KUBECONFIG_DATA
pulumi_login
select_stack
image=$(use_image "$(pulumi stack output imageRef 2>/dev/null || true)")
echo "ci: drift check of $STACK at $(git rev-parse HEAD) with $image"

status=0
pulumi preview --refresh --expect-no-changes --diff --color never --suppress-progress > "$scratch/preview.txt" 2>&1 || status=$?
cat "$scratch/preview.txt"
if [ "$status" -eq 0 ]; then
  printf '## %s: no drift\n\nThe cluster matches the last deploy (commit `%s`).\n' "$STACK" "$(git rev-parse HEAD)" | summary
  exit 0
fi
{
  printf '## %s: drift (or a failed check)\n\n' "$STACK"
  printf 'A deploy of the deployed commit `%s` would change what the diff below shows. ' "$(git rev-parse HEAD)"
  printf 'Find who changed the objects; then either deploy again to restore them, or put the change into the code.\n\n'
  fenced diff "$scratch/preview.txt"
} | summary
fail "drift in $STACK" "the cluster or the state of $STACK differs from the last deploy; the diff is in the job summary"
