#!/usr/bin/env bash
# Finds the commit last deployed to STACK: the git.head that the CLI recorded
# with the stack's last successful update. It must be a commit of main (this
# checkout needs the history: fetch-depth 0), since its code will run with the
# stack's read credentials. Writes commit=<sha>.
# Reads STACK and the backend variables (lib.sh pulumi_login).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

pulumi_login
select_stack
commit=$(pulumi stack history --json --page-size 20 | node "$ci_root/scripts/ci/state.mjs" deployed-commit)
git -C "$ci_root" merge-base --is-ancestor "$commit" refs/remotes/origin/main ||
  fail "deployed commit not on main" "$STACK was last deployed from $commit, which is not a commit of main"
echo "ci: $STACK was last deployed from $commit"
output commit "$commit"
