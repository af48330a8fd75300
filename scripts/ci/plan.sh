#!/usr/bin/env bash
# Previews exactly what a deploy of this commit and image would change and saves
# it as an update plan: plan.json (for `pulumi up --plan`) and preview.txt (shown
# in the job summary, which the prod approver reads before approving). The
# policy pack (policy/) runs with it: a mandatory violation fails the plan.
# Records the state it was computed from (fingerprint=, the time the state was
# last written); apply.sh refuses to apply the plan once that has changed.
# Usage: plan.sh OUT_DIR. Reads STACK, IMAGE_REF, KUBECONFIG_DATA and the backend
# variables (lib.sh pulumi_login).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

out=$(mkdir -p "${1:?usage: plan.sh OUT_DIR}" && cd "$1" && pwd)
use_kubeconfig KUBECONFIG_DATA
pulumi_login
select_stack
image=$(use_image "${IMAGE_REF:-}")
fingerprint=$(pulumi stack export | node "$ci_root/scripts/ci/state.mjs" fingerprint)

status=0
pulumi preview --diff --color never --suppress-progress --policy-pack policy --save-plan "$out/plan.json" > "$out/preview.txt" 2>&1 || status=$?
cat "$out/preview.txt"

{
  printf '## Plan for %s\n\n' "$STACK"
  printf -- '- commit `%s`\n- image `%s`\n- state last written `%s`\n\n' "${GITHUB_SHA:-$(git rev-parse HEAD)}" "$image" "$fingerprint"
  if [ "$status" -eq 0 ]; then
    printf 'The deploy job applies exactly this plan (`pulumi up --plan`) and refuses it if the state changes first.\n\n'
  else
    printf '**The preview failed (exit %s); nothing will be deployed.**\n\n' "$status"
  fi
  fenced diff "$out/preview.txt"
} | summary
[ "$status" -eq 0 ] || fail "preview failed" "pulumi preview of $STACK failed (exit $status); see the job summary"

output fingerprint "$fingerprint"
output plan-sha256 "$(sha256sum "$out/plan.json" | cut -d' ' -f1)"
output image-ref "$image"
