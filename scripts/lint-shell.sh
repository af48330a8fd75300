#!/usr/bin/env bash
# Runs shellcheck on every shell script in the repository; fails if shellcheck
# is missing rather than passing without having looked.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null; then
  echo "lint-shell: shellcheck is not installed (apt-get install shellcheck, brew install shellcheck)" >&2
  exit 1
fi
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' .ci/run)
shellcheck "${scripts[@]}"
echo "lint-shell: ${#scripts[@]} scripts clean"
