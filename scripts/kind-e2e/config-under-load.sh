#!/usr/bin/env bash
# A config change rolled out under load, with no failed request: the API's
# loadgen (app/bench/loadgen: GETs of one item at a fixed 40 a second, every
# non-2xx answer and connection error counted as failed) sends requests through the Ingress while the stack is updated with the log
# level changed in Pulumi.local.yaml (a new ConfigMap, so the pods roll).
# Usage: config-under-load.sh [SECONDS] (default 90).
set -eEuo pipefail
# shellcheck source=scripts/kind-e2e/lib.sh
source "$(dirname "$0")/lib.sh"
seconds=${1:-90}
ensure_tmp

step "loadgen through the Ingress for ${seconds}s, 40 GETs a second"
(cd "$repo_root/app" && go build -o "$tmp/loadgen" ./bench/loadgen)
token=$(pulumi --cwd "$repo_root" stack output token --show-secrets --stack local)
# The token goes to curl on stdin, never in an argument (see local-up.sh).
id=$(printf 'header = "Authorization: Bearer %s"\n' "$token" |
  curl -fsS --max-time 5 --config - --resolve "$ingress_host:$http_port:127.0.0.1" -X POST -H 'Content-Type: application/json' \
    -d '{"name":"e2e load","description":"read while the config changes"}' "${api_url}v1/items" |
  sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
[ -n "$id" ] || stop "could not create the item the load reads" "see curl's error above"
"$tmp/loadgen" -url "${api_url%/}" -id "$id" -rate 40 -c 8 -d "${seconds}s" >"$tmp/load.txt" 2>&1 &
load=$!
sleep 5

step "Changing goapi:app.logLevel to info and updating the stack local"
sed -i 's/^    logLevel: debug$/    logLevel: info/' "$repo_root/Pulumi.local.yaml"
grep -q '^    logLevel: info$' "$repo_root/Pulumi.local.yaml" || stop "Pulumi.local.yaml has no 'logLevel: debug' line to change" "update this script"
stack_config "$repo_root"
run pulumi --cwd "$repo_root" up --yes --skip-preview --stack local --config-file "$stack_file" || {
  explain_rollout "$repo_root"
  stop "the update with the new log level failed" "see the lines above"
}

wait "$load" || stop "loadgen failed: $(<"$tmp/load.txt")" "see its output"
info "loadgen: $(<"$tmp/load.txt")"
result=$(<"$tmp/load.txt")
[[ $result =~ requests=([0-9]+)\ failed=([0-9]+) ]] || stop "cannot read loadgen's result: $result" "see its output"
[ "${BASH_REMATCH[1]}" -gt 0 ] || stop "loadgen sent no request" "see its output"
[ "${BASH_REMATCH[2]}" = 0 ] || stop "${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} requests failed during the rollout" "see the rollout above"
info "0 failed requests of ${BASH_REMATCH[1]}"
