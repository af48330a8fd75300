#!/usr/bin/env bash
# Stub ts-node (node_modules/.bin/ts-node of the fake checkout): the local
# scripts run it only for rollout/cli.ts, after a failed update. It prints one
# line in the explainer's place, saying how much state it was given on stdin.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${STUB_WORLD:?}/../bin/stub-lib.sh"
block_point "$@"
state=$(cat)
printf 'Why the rollout failed: (stub) %s bytes of state, the token %s\n' "${#state}" \
  "$(case $state in *"$(cat "$W/token")"*) echo given ;; *) echo missing ;; esac)"
