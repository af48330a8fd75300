#!/usr/bin/env bash
# Posts a stack's preview report on a pull request, or edits the comment it
# posted before (found by the marker on the report's first line), so each
# stack keeps one comment:
#   scripts/ci/upsert-comment.sh <pr-number> <comment.md>
# Needs the GitHub CLI, GH_TOKEN with pull-requests: write, GITHUB_REPOSITORY.
set -euo pipefail
pr="${1:?usage: upsert-comment.sh <pr-number> <comment.md>}"
body="${2:?usage: upsert-comment.sh <pr-number> <comment.md>}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is required (owner/repo)}"
[[ "$pr" =~ ^[0-9]+$ ]] || { echo "upsert-comment: pull request number expected, got '$pr'" >&2; exit 2; }

marker="$(head -n 1 "$body")"
[[ "$marker" == "<!-- goapi-preview-report: "*" -->" ]] || { echo "upsert-comment: $body does not start with a report marker" >&2; exit 2; }

existing="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.user.type == \"Bot\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$body" >/dev/null
  echo "upsert-comment: edited comment $existing on #$pr"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$body" >/dev/null
  echo "upsert-comment: posted a comment on #$pr"
fi
