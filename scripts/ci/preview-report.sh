#!/usr/bin/env bash
# Previews one stack with the policy pack and writes what a pull request shows:
#   scripts/ci/preview-report.sh <stack> <out-dir>
# Runs `pulumi preview` twice (the --json events and the --diff text cannot
# come from one run), then `npm run report`. The --json run streams engine
# events (PULUMI_ENABLE_STREAMING_JSON_PREVIEW): only they carry the policy
# results. Writes into <out-dir>:
#   preview.jsonl  diff.txt  comment.md  summary.md
# and appends summary.md to $GITHUB_STEP_SUMMARY when that is set.
# Reads PULUMI_STACK_PREFIX (e.g. acme/goapi/ on Pulumi Cloud) and DETAILS_URL
# (the link the comment gives for the full diff, e.g. the run's URL).
# Exits with the preview's status: an error or a mandatory policy violation
# fails the job, after the report has been written.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
stack_name="${1:?usage: preview-report.sh <stack> <out-dir>}"
out_arg="${2:?usage: preview-report.sh <stack> <out-dir>}"
stack="${PULUMI_STACK_PREFIX:-}${stack_name}"
pulumi() { "${GOAPI_PULUMI:-$repo_root/node_modules/.bin/pulumi}" "$@"; }

mkdir -p "$out_arg"
out="$(cd "$out_arg" && pwd)"
cd "$repo_root"

echo "preview-report: pulumi preview --json of $stack with the policy pack"
status=0
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --stack "$stack" --policy-pack policy --json --color never \
  >"$out/preview.jsonl" || status=$?

echo "preview-report: pulumi preview --diff of $stack for the job summary"
pulumi preview --stack "$stack" --policy-pack policy --diff --color never >"$out/diff.txt" 2>&1 || true

report_args=(--stack "$stack_name" --json "$out/preview.jsonl" --diff "$out/diff.txt"
  --comment-out "$out/comment.md" --summary-out "$out/summary.md" --root "$repo_root")
if [ -n "${DETAILS_URL:-}" ]; then
  report_args+=(--details-url "$DETAILS_URL")
fi
: >"$out/summary.md"
npm run --silent report -- "${report_args[@]}"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi

echo "preview-report: $stack previewed with status $status; comment in $out/comment.md"
exit "$status"
