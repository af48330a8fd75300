#!/usr/bin/env bash
# Builds what the real nodes of `npm run test:e2e` run beside the loopback
# plane (scripts/cluster/build.sh), at the versions pinned in
# scripts/cluster/versions.sh, from the Go module proxy into .tools/e2e/bin:
# CoreDNS (only the plugins the cluster DNS needs),
# BuildKit (buildkitd, buildctl), kube-router (its NetworkPolicy firewall),
# and the sandbox image's pause program (the kubelet and kube-proxy come with
# the plane's binaries, from the same go build). A second
# run with the same versions returns at once. Cold: minutes (docs/testing.md).
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require go
go_version=$(go env GOVERSION)
go_version=${go_version#go}
printf '%s\n%s\n' "$e2e_go_minimum" "$go_version" | sort -V -C || die "Go $e2e_go_minimum or newer is required (found $go_version)"
# Static binaries: CoreDNS and pause run from images with nothing else in them.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0

binaries=(coredns buildkitd buildctl kube-router pause)
if binaries_current "$e2e_stamp" "$(e2e_wanted_stamp)" "$e2e_bin" "${binaries[@]}"; then
  say "binaries up to date in ${e2e_bin#"$repo_root"/}"
  exit 0
fi
start_build "$e2e_stamp" "$e2e_bin" "$e2e_src"

# CoreDNS with a plugin list of our own: a main that sets the directives
# (their order is the order plugins run in, as in CoreDNS's plugin.cfg) and
# imports only those plugins. No forward: the cluster DNS answers for
# cluster.local and nothing else.
step "coredns v$coredns_version"
dns_src="$e2e_src/coredns"
mkdir -p "$dns_src"
printf 'module goapi.local/e2e/coredns\n\ngo 1.26\n\nrequire github.com/coredns/coredns v%s\n' "$coredns_version" >"$dns_src/go.mod"
cat >"$dns_src/main.go" <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "loadbalance", "cache", "kubernetes"}
}

func main() { coremain.Run() }
GO
(cd "$dns_src" && go mod tidy 2>&1 | progress)
# Static: it runs as a pod, from an image with nothing else in it.
(cd "$dns_src" && CGO_ENABLED=0 go build -v -trimpath -ldflags "-s -w" -o "$e2e_bin/coredns" . 2>&1 | progress)

# BuildKit: `go install` refuses its go.mod's exclude directives, so a
# wrapper module that carries them over.
step "buildkit v$buildkit_version"
bk_src="$e2e_src/buildkit"
mkdir -p "$bk_src"
bk_gomod=$(go mod download -json "github.com/moby/buildkit@v$buildkit_version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$bk_gomod" ] || die "could not download github.com/moby/buildkit@v$buildkit_version"
{
  printf 'module goapi.local/e2e/buildkit\n\ngo %s\n\nrequire github.com/moby/buildkit v%s\n\n' "$(sed -n 's/^go //p' "$bk_gomod")" "$buildkit_version"
  sed -n '/^exclude (/,/^)/p' "$bk_gomod"
} >"$bk_src/go.mod"
printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "github.com/moby/buildkit/cmd/buildctl"\n\t_ "github.com/moby/buildkit/cmd/buildkitd"\n)\n' >"$bk_src/tools.go"
(cd "$bk_src" && go mod tidy 2>&1 | progress)
(cd "$bk_src" && go build -v -trimpath -ldflags "-s -w" -o "$e2e_bin/" \
  github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl 2>&1 | progress)

step "kube-router v$kube_router_version"
GOBIN="$e2e_bin" go install -v -trimpath -ldflags "-s -w" \
  "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$kube_router_version" 2>&1 | progress

step "pause"
(cd "$repo_root/scripts/e2e/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$e2e_bin/pause" main.go)

e2e_wanted_stamp >"$e2e_stamp"
step "done: ${binaries[*]} in ${e2e_bin#"$repo_root"/}"
