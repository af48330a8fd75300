#!/usr/bin/env bash
# Posts a preview comment on the pull request, or edits the one posted before:
# the comment is found by the marker on the body's first line, among the
# comments of github-actions[bot] only.
# Usage: pr-comment.sh BODY_FILE... (a missing file is skipped: that preview
# wrote no comment). Reads GH_TOKEN (pull-requests: write), GITHUB_REPOSITORY
# and PR_NUMBER.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -gt 0 ] || fail "no comment" "usage: pr-comment.sh BODY_FILE..."
issue="repos/${GITHUB_REPOSITORY:?}/issues/${PR_NUMBER:?}"

post() {
  local body=$1 marker id
  marker=$(head -n 1 "$body")
  [[ "$marker" == "<!-- goapi-preview:"*" -->" ]] || fail "no marker" "$body does not start with a preview marker"
  gh api --paginate --slurp "$issue/comments" > "$scratch/comments.json"
  id=$(node "$ci_root/scripts/ci/github.mjs" comment-id "$scratch/comments.json" "$marker")
  if [ -n "$id" ]; then
    gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$body" >/dev/null
    echo "ci: updated comment $id with $body"
  else
    gh api -X POST "$issue/comments" -F "body=@$body" >/dev/null
    echo "ci: posted $body"
  fi
}

for body in "$@"; do
  if [ -f "$body" ]; then post "$body"; else note "no comment" "$body is missing: that preview wrote no comment"; fi
done
