#!/usr/bin/env bash
# Runs each argument as a shell command, all at once, and fails if any of them
# fails. npm test uses it for its lanes (static checks, jest, the Go tests):
# each lane spends much of its time waiting on processes it starts, so side by
# side they take little more than the longest of them, even on two cores. Each
# command's output is kept apart and printed whole, in argument order, with how
# long the command took, so the log reads as if they had run one after another.
#
# usage: scripts/side-by-side.sh 'command' ['command'...]
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 'command' ['command'...]" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pids=()
# Job control puts each command in a process group of its own, so that Ctrl-C
# (which reaches only this script: its background commands ignore it) can be
# passed on to everything a command started.
set -m
stop() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  set +m # no "Terminated" line per command
  wait 2>/dev/null || true
  exit 130
}
trap stop INT TERM

n=0
for cmd in "$@"; do
  (
    start=$SECONDS
    status=0
    bash -c "$cmd" >"$out/$n.log" 2>&1 || status=$?
    echo "$((SECONDS - start))" >"$out/$n.seconds"
    exit "$status"
  ) &
  pids+=($!)
  n=$((n + 1))
done

failed=()
n=0
for cmd in "$@"; do
  status=0
  wait "${pids[$n]}" || status=$?
  echo "▶ $cmd ($(cat "$out/$n.seconds" 2>/dev/null || echo '?') s, exit $status)"
  cat "$out/$n.log"
  [ "$status" -eq 0 ] || failed+=("$cmd")
  n=$((n + 1))
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'side-by-side: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
