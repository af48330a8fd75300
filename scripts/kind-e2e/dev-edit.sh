#!/usr/bin/env bash
# npm run local:dev with one Go edit going live: starts the loop, edits a Go
# file of the image, waits until the API serves the new version (the tag is a
# content address of app/), then stops the loop with SIGINT and checks that it
# ended cleanly. Usage: dev-edit.sh [DEADLINE_SECONDS] (default 300).
set -eEuo pipefail
# shellcheck source=scripts/kind-e2e/lib.sh
source "$(dirname "$0")/lib.sh"
deadline=${1:-300}
ensure_tmp
before=$(served_version)
[ -n "$before" ] || stop "the API serves no version at $api_url" "npm run local:up"

step "npm run local:dev, then one Go edit"
(cd "$repo_root" && exec node_modules/.bin/ts-node --transpile-only --swc scripts/dev/main.ts) >"$tmp/dev.log" 2>&1 &
dev=$!
for _ in $(seq 1 60); do grep -q "watching" "$tmp/dev.log" && break; sleep 1; done
grep -q "watching" "$tmp/dev.log" || { cat "$tmp/dev.log"; stop "local:dev did not start watching within a minute" "see its output above"; }
printf '\n// edited by scripts/kind-e2e/dev-edit.sh\n' >>"$repo_root/app/internal/api/ops.go"
start=$SECONDS

now=$before
while [ "$now" = "$before" ] && [ $((SECONDS - start)) -lt "$deadline" ]; do
  sleep 2
  now=$(served_version || true)
done
took=$((SECONDS - start))
kill -INT "$dev"
status=0
wait "$dev" || status=$?
sed 's/^/    local:dev| /' "$tmp/dev.log"
[ "$now" != "$before" ] || stop "the edit was not live within ${deadline}s (still version $before)" "see local:dev's output above"
[ "$status" = 0 ] || stop "local:dev ended with status $status after SIGINT" "see its output above"
grep -q "the stack local is as last deployed" "$tmp/dev.log" || stop "local:dev did not say it stopped cleanly" "see its output above"
info "live in ${took}s after the save: version $before -> $now"
