#!/usr/bin/env bash
# Publishes what pull-request previews may see of a stack: its state with every
# secret replaced by a placeholder and without the secrets provider, so nothing
# in it decrypts anything. Runs only in trusted jobs (deploy, drift), which hold
# the stack's read credentials; previews download the result as an artifact.
# The plaintext of `export --show-secrets` only passes through a pipe.
# Usage: snapshot.sh OUT_DIR (writes state.json, meta.json). Reads STACK and the
# backend variables (lib.sh pulumi_login).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

out=$(mkdir -p "${1:?usage: snapshot.sh OUT_DIR}" && cd "$1" && pwd)
pulumi_login
select_stack
pulumi stack export --show-secrets | node "$ci_root/scripts/ci/state.mjs" redact > "$out/state.json.tmp"
mv "$out/state.json.tmp" "$out/state.json"
cat > "$out/meta.json" <<META
{"stack":"$STACK","exportedAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","commit":"${GITHUB_SHA:-}","run":"${GITHUB_SERVER_URL:-}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"}
META
echo "ci: redacted state of $STACK written to $out"
