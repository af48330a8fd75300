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
# On a canary stack the up only hands the new pod template to Flagger: the job
# then follows the release (npm run release:watch) and fails when Flagger rolls
# it back or it does not end in time. What it read is written to RELEASE_RECORD
# (if set), which the published state carries to the pull-request report.
# Usage: apply.sh PLAN_DIR. Reads STACK, IMAGE_REF, EXPECTED_FINGERPRINT,
# PLAN_SHA256, KUBECONFIG_DATA, RELEASE_RECORD and the backend variables
# (lib.sh pulumi_login).
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

# Each Canary as it is before the up, so that the watch tells this release from
# the last one (a stack without Canaries writes no mark). Without a mark the
# watch still works, only slower to trust a phase it sees first.
pulumi stack export --show-secrets | release mark --mark "$scratch/release-mark.json" ||
  warn "no release mark" "could not read the Canaries of $STACK before the update; the release is followed without a mark"

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

watch=(watch)
[ ! -f "$scratch/release-mark.json" ] || watch+=(--mark "$scratch/release-mark.json")
if [ -n "${RELEASE_RECORD:-}" ]; then
  mkdir -p "$(dirname "$RELEASE_RECORD")"
  watch+=(--record "$RELEASE_RECORD")
fi
status=0
pulumi stack export --show-secrets | release "${watch[@]}" > "$scratch/release.txt" || status=$?
cat "$scratch/release.txt"
if grep -q '^Following the release' "$scratch/release.txt"; then
  { printf '## The release of %s\n\n' "$STACK"; fenced text "$scratch/release.txt"; } | summary
fi
case "$status" in
  0) ;;
  1) fail "release rolled back" "Flagger rolled the release of $STACK back: the primary serves the previous version (the job log and summary have the Canary's events)" ;;
  3) fail "release not finished" "the release of $STACK did not end in time; it may still be running (kubectl get canary; the stack output delivery.follow)" ;;
  *) fail "release unknown" "could not follow the release of $STACK (exit $status): see the job log" ;;
esac
