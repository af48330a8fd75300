#!/usr/bin/env bash
# npm run test:observability: the alerts, the metrics and the traces against
# the real systems. Builds Prometheus and an OpenTelemetry Collector from the
# Go module proxy (scripts/observability/build.sh; once, then cached), writes
# the local stack's alert rules with every `for` shortened to 10s
# (rules.ts), and runs the checks of app/cmd/api/observability_test.go: two
# API processes on a real PostgreSQL (the tests' own throwaway server),
# scraped every second by Prometheus with the rules loaded, sending spans to
# the collector. Every process it starts stops with it. Arguments go to
# go test (e.g. -run TestTracesReachACollector).
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
die() { printf 'observability: %s\n' "$*" >&2; exit 1; }
for tool in go node; do
  command -v "$tool" >/dev/null || die "$tool is required but was not found on PATH"
done
[ -x "$repo_root/node_modules/.bin/ts-node" ] || die "node_modules is missing: run npm ci"

"$repo_root/scripts/observability/build.sh"
bin_dir="${GOAPI_OBSERVABILITY_TOOLS:-$repo_root/.tools/observability}/bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/goapi-observability.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$repo_root/node_modules/.bin/ts-node" --transpile-only --swc "$repo_root/scripts/observability/rules.ts" "$work/rules.yaml" 10s

cd "$repo_root/app"
GOAPI_PROMETHEUS="$bin_dir/prometheus" GOAPI_OTELCOL="$bin_dir/otelcol" GOAPI_RULES="$work/rules.yaml" \
  go test -tags observability -count=1 -v -timeout 20m \
  -run '^(TestTracesReachACollector|TestAlertsFireOnARealPrometheus)$' "$@" ./cmd/api
