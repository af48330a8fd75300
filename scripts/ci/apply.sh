#!/usr/bin/env bash
# Applies the plan the plan job saved, and nothing else:
# - the plan file must be the one the plan job wrote (PLAN_SHA256);
# - the stack's state must not have been written since the plan was made
#   (EXPECTED_FINGERPRINT): `pulumi up --plan` holds each resource to the
#   planned operation and new inputs, but not to the state it starts from, so a
#   deploy in between would otherwise go unseen by the approver;
# - `pulumi up --plan` runs its own preview first and stops before touching
#   anything if the program now wants more than the plan allows;
# - the policy pack (policy/) runs again: a mandatory violation stops the update.
# Usage: apply.sh PLAN_DIR. Reads STACK, IMAGE_REF, EXPECTED_FINGERPRINT,
# PLAN_SHA256, KUBECONFIG_DATA and the backend variables (lib.sh pulumi_login).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

plan=$(cd "${1:?usage: apply.sh PLAN_DIR}" && pwd)/plan.json
[ -f "$plan" ] || fail "no plan" "$plan is missing"
[ "$(sha256sum "$plan" | cut -d' ' -f1)" = "${PLAN_SHA256:?}" ] ||
  fail "plan changed" "plan.json is not the file the plan job wrote"

use_kubeconfig KUBECONFIG_DATA
pulumi_login
select_stack
image=$(use_image "${IMAGE_REF:?}")
[ "$image" = "$IMAGE_REF" ] || fail "image changed" "the plan was made for $IMAGE_REF, the stack file now says $image"

now=$(pulumi stack export | node "$ci_root/scripts/ci/state.mjs" fingerprint)
[ "$now" = "${EXPECTED_FINGERPRINT:?}" ] ||
  fail "state changed since the plan" "the state of $STACK was written at $now, after the plan was made (from the state of ${EXPECTED_FINGERPRINT}); nothing was applied: run the workflow again for a new plan"

status=0
pulumi up --yes --plan "$plan" --diff --color never --suppress-progress --policy-pack policy || status=$?
if [ "$status" != 0 ]; then
  explain_rollout
  exit "$status"
fi

{
  printf '## Deployed %s\n\n' "$STACK"
  printf -- '- image `%s`\n- url %s\n' "$image" "$(pulumi stack output url)"
} | summary
