#!/usr/bin/env bash
# Checks a deployed stack through its public URL, as a client would: /readyz
# answers, an authenticated POST /v1/items creates an item that GET reads back,
# and DELETE removes it again. Fails the job otherwise.
# The API token comes from the stack output, is masked in the log at once, and
# reaches curl as a header file in a private folder, never on a command line.
# Reads STACK, the backend variables (lib.sh pulumi_login), SMOKE_ATTEMPTS and
# SMOKE_DELAY (seconds) for /readyz.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

attempts="${SMOKE_ATTEMPTS:-30}" delay="${SMOKE_DELAY:-5}"
pulumi_login
select_stack
url=$(pulumi stack output url)
url="${url%/}"
token=$(pulumi stack output token --show-secrets)
[ -n "$token" ] || fail "no token" "the stack has no token output"
echo "::add-mask::$token"

printf 'Authorization: Bearer %s\n' "$token" > "$scratch/auth"
unset token
api() { curl -sS --max-time 10 -o "$scratch/body" -w '%{http_code}' "$@"; }

echo "ci: smoke check of $STACK at $url"
for attempt in $(seq 1 "$attempts"); do
  code=$(api "$url/readyz" || true)
  [ "$code" = 200 ] && break
  [ "$attempt" -lt "$attempts" ] || fail "not ready" "GET $url/readyz answered '$code' $attempts times"
  echo "ci: $url/readyz answered '$code' (attempt $attempt/$attempts)"
  sleep "$delay"
done
echo "ci: GET /readyz 200"

name="smoke ${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-1}"
code=$(api -X POST -H "@$scratch/auth" -H 'Content-Type: application/json' \
  --data "{\"name\":\"$name\",\"description\":\"deploy smoke check\"}" "$url/v1/items")
[ "$code" = 201 ] || fail "write failed" "authenticated POST /v1/items answered $code: $(head -c 300 "$scratch/body")"
id=$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' "$scratch/body")
[ -n "$id" ] || fail "write failed" "POST /v1/items returned no id"
echo "ci: POST /v1/items 201 (id $id)"

code=$(api "$url/v1/items/$id")
if [ "$code" != 200 ] || ! grep -qF "\"name\":\"$name\"" "$scratch/body"; then
  fail "read back failed" "GET /v1/items/$id answered $code without the item just written"
fi
echo "ci: GET /v1/items/$id 200, the item reads back"

code=$(api -X DELETE -H "@$scratch/auth" "$url/v1/items/$id")
[ "$code" = 204 ] || fail "delete failed" "DELETE /v1/items/$id answered $code"
echo "ci: DELETE /v1/items/$id 204"
printf '### Smoke check\n\n%s: `/readyz`, authenticated write, read back and delete passed.\n' "$url" | summary
