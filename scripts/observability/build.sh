#!/usr/bin/env bash
# Builds what npm run test:observability runs against, from the Go module
# proxy, into .tools/observability/bin: the Prometheus server at the version
# promtool is pinned to (package.json's tools script), without service
# discovery plugins or web UI assets (the check uses the HTTP API and a
# static scrape configuration), and an OpenTelemetry Collector with only the
# OTLP receiver and the file exporter (the wrapper module in otelcol/, its
# versions pinned by its go.mod and go.sum). A second run with the same
# versions and Go returns at once. Cold: minutes (see docs/testing.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
tools_dir="${GOAPI_OBSERVABILITY_TOOLS:-$repo_root/.tools/observability}"
bin_dir="$tools_dir/bin"
stamp_file="$tools_dir/built-versions"

say() { printf 'observability: %s\n' "$*"; }
die() { printf 'observability: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "go is required but was not found on PATH"

# The Prometheus version: the one promtool is built at, so the rules are
# checked and evaluated by the same code. Built with promtool's very flags
# (package.json's tools script: -trimpath, the tags, the ldflags), so every
# package the two share comes from the Go build cache that
# `npm run tools` filled, instead of compiling again.
prometheus_version=$(sed -n 's|.*github.com/prometheus/prometheus/cmd/promtool@\(v[0-9.]*\).*|\1|p' "$repo_root/package.json")
[ -n "$prometheus_version" ] || die "package.json's tools script pins no promtool version"
collector_version=$(sed -n 's|^\tgo.opentelemetry.io/collector/otelcol \(v[0-9.]*\)$|\1|p' "$here/otelcol/go.mod")
[ -n "$collector_version" ] || die "otelcol/go.mod pins no go.opentelemetry.io/collector/otelcol"

export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
wanted() {
  printf 'prometheus %s\ncollector %s (go.sum %s)\ngo %s\n' "$prometheus_version" "$collector_version" \
    "$(cksum <"$here/otelcol/go.sum" | cut -d' ' -f1)" "$(go env GOVERSION)"
}
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(wanted)" ] && [ -x "$bin_dir/prometheus" ] && [ -x "$bin_dir/otelcol" ]; then
  say "binaries up to date in ${bin_dir#"$repo_root"/} (prometheus $prometheus_version, collector $collector_version)"
  exit 0
fi

rm -f "$stamp_file"
mkdir -p "$bin_dir"
started=$SECONDS
step() { say "[$((SECONDS - started))s] $*"; }

step "prometheus $prometheus_version (server, no service discovery plugins)"
GOBIN="$bin_dir" go install -trimpath -tags remove_all_sd -ldflags "-s -w" \
  "github.com/prometheus/prometheus/cmd/prometheus@$prometheus_version"

step "OpenTelemetry Collector $collector_version (OTLP receiver, file exporter)"
(cd "$here/otelcol" && go build -trimpath -ldflags "-s -w" -o "$bin_dir/otelcol" .)

wanted >"$stamp_file"
step "done: prometheus, otelcol in ${bin_dir#"$repo_root"/}"
