#!/usr/bin/env bash
# The pull-request preview of STACK. This runs pull-request code (the program,
# its dependencies, these scripts), so it gets nothing that can change a stack
# or decrypt its secrets:
# - state: the redacted copy find-snapshot.sh fetched, imported into a local
#   backend under a throwaway passphrase (it encrypts only placeholders);
# - stack config: the stack file's own secrets are replaced by placeholders;
# - cluster: PREVIEW_KUBECONFIG, the preview identity, which may read only the
#   API discovery documents and the OpenAPI schema (docs/ci.md).
# The image: the deployed one while app/ is unchanged (same tag: its git tree),
# else the tag the build will push with a digest of zeros (the real digest
# exists only after the build).
# Both previews run the policy pack (policy/): a mandatory violation fails them.
# The first prints the engine's events as JSON (the only output with the
# policy results), from which `npm run report` writes the comment; the second
# the --diff text for the job summary (with the report above it) and preview.txt.
# Usage: preview.sh SNAPSHOT_DIR OUT_DIR (writes comment.md, preview.jsonl and
# preview.txt). Reads STACK, PREVIEW_KUBECONFIG, PR_HEAD_SHA, and the run's
# GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID for the comment's link
# to the job summary.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

snapshot="${1:?usage: preview.sh SNAPSHOT_DIR OUT_DIR}"
out=$(mkdir -p "${2:?usage: preview.sh SNAPSHOT_DIR OUT_DIR}" && cd "$2" && pwd)
use_kubeconfig PREVIEW_KUBECONFIG
unset PULUMI_ACCESS_TOKEN PULUMI_OIDC_ORG
mkdir "$scratch/state"
export PULUMI_BACKEND_URL="file://$scratch/state"
export PULUMI_CONFIG_PASSPHRASE="$redacted"
cd "$project_dir"
stack_file="Pulumi.$STACK.yaml"

node "$ci_root/scripts/ci/stack-file.mjs" strip "$stack_file" > "$scratch/secret-paths"
mapfile -t secret_paths < "$scratch/secret-paths"
pulumi stack init "$STACK" >/dev/null
if [ -f "$snapshot/state.json" ]; then
  salt=$(node "$ci_root/scripts/ci/stack-file.mjs" salt "$stack_file")
  node "$ci_root/scripts/ci/state.mjs" for-import "$snapshot/state.json" "$salt" > "$scratch/state.json"
  pulumi stack import --file "$scratch/state.json" >/dev/null
  source_line=$(node -p 'const m = require(process.argv[1]); `against the state of ${m.stack} exported at ${m.exportedAt} by ${m.run}`' "$snapshot/meta.json")
else
  source_line="against an **empty** stack: no published state of $STACK was found (docs/ci.md, Previews)"
fi
for path in "${secret_paths[@]}"; do
  pulumi config set --secret --path "$path" "$redacted" >/dev/null
done

read_pin
image=$(node "$ci_root/scripts/ci/stack-file.mjs" image "$stack_file")
kind=${image%% *} value=${image#* }
if [ -n "$pin" ]; then
  pulumi config set --path goapi:image.ref "$pin" >/dev/null
  image_line="the rollback pin \`$pin\` (.github/pins/$STACK.image)"
elif [ "$kind" = build ]; then
  tree=$(git rev-parse HEAD:app)
  tag=${tree:0:12}
  deployed=""
  [ ! -f "$snapshot/state.json" ] || deployed=$(node "$ci_root/scripts/ci/state.mjs" image-ref "$snapshot/state.json")
  if [[ "$deployed" == "$value:$tag@sha256:"* ]]; then
    ref="$deployed"
    image_line="app/ is unchanged: the deployed image \`$ref\`"
  else
    ref="$value:$tag@sha256:$(printf '0%.0s' $(seq 64))"
    image_line="app/ changed: the image \`$value:$tag\` is built on deploy; its digest shows as zeros here"
  fi
  pulumi config set --path goapi:image.ref "$ref" >/dev/null
else
  image_line="the stack file pins \`$value\`"
fi

status=0
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --json --color never --policy-pack policy \
  > "$out/preview.jsonl" 2> "$scratch/preview-json.stderr" || status=$?
pulumi preview --diff --color never --suppress-progress --policy-pack policy > "$out/preview.txt" 2>&1 || true
cat "$out/preview.txt"

{
  printf 'Commit `%s`, %s. Image: %s.\n\n' "${PR_HEAD_SHA:-$(git rev-parse HEAD)}" "$source_line" "$image_line"
  printf 'Secrets show as unchanged whatever this branch does to them; values computed from them may show as changed. What a preview can and cannot show: docs/ci.md.\n'
} > "$scratch/intro.md"
details=()
# The canary release the last deploy followed (apply.sh), when the state is a deploy's.
[ ! -f "$snapshot/release.json" ] || details+=(--release "$snapshot/release.json")
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
  details+=(--details-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID")
fi
if ! npm run --silent report -- --stack "$STACK" --json "$out/preview.jsonl" --diff "$out/preview.txt" \
  --intro "$scratch/intro.md" --root "$project_dir" "${details[@]}" \
  --comment-out "$out/comment.md" --summary-out "${GITHUB_STEP_SUMMARY:-/dev/null}"; then
  # No report (the preview printed no events, e.g. it could not start): the diff text as it is.
  warn "no report" "npm run report could not read the preview of $STACK; the comment shows the diff text"
  cat "$scratch/preview-json.stderr" >&2
  {
    printf '<!-- goapi-preview:%s -->\n' "$STACK"
    printf '### `pulumi preview` of %s\n\n' "$STACK"
    cat "$scratch/intro.md"
    [ "$status" -eq 0 ] || printf '\n**The preview failed (exit %s).**\n' "$status"
    printf '\n<details open><summary>diff</summary>\n\n'
    fenced diff "$out/preview.txt" 60000
    printf '\n</details>\n'
  } > "$out/comment.md"
  fenced diff "$out/preview.txt" 900000 | summary
fi
[ "$status" -eq 0 ] || fail "preview failed" "pulumi preview of $STACK failed (exit $status): an error or a mandatory policy violation; see the comment and the job summary"
