#!/usr/bin/env bash
# Stops the control plane that up.sh started in the folder $1 (default
# .tools/cluster/up, for `npm run cluster:down`), by the PIDs it recorded, and
# removes the folder (certificates, data, logs). Safe to run twice, and on a
# folder whose processes have already exited.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
. "$(dirname "$0")/lib.sh"

state=${1:-$manual_state}
[ -d "$state" ] || exit 0
stopped=0
for ((i = ${#components[@]} - 1; i >= 0; i--)); do
  c=${components[i]}
  f="$state/pids/$c.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if is_ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do is_ours "$pid" || break; sleep 0.1; done
    if is_ours "$pid"; then
      say "$c (pid $pid) ignored SIGTERM for 10s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done
rm -rf "$state"
say "stopped $stopped processes, removed $state"
