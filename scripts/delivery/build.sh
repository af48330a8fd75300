#!/usr/bin/env bash
# Builds what `npm run test:delivery` runs as host processes beside the real
# nodes, from the Go module proxy, into .tools/delivery/bin, at the versions
# pinned in scripts/cluster/versions.sh and package.json:
#   flagger         Flagger, `go install` of its command;
#   traefik         Traefik v3, the Gateway API implementation Flagger's
#                   gatewayapi:v1 provider drives, through a wrapper module;
#   prometheus      the Prometheus server at promtool's version, with the
#                   Kubernetes service discovery only;
#   keda-operator, keda-adapter
#                   KEDA, through a wrapper module (its go.mod has replace
#                   directives, which `go install` refuses); and all of
#                   KEDA's CRDs, into .tools/delivery/crds/keda.
# A second run with the same versions and Go returns at once. Cold: minutes
# (docs/delivery.md has the figures). Each step names what it builds, and a
# failed build stops here with Go's own message.
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
say() { printf 'delivery: %s\n' "$*"; }
die() { printf 'delivery: %s\n' "$*" >&2; exit 1; }
require go
tools="${GOAPI_DELIVERY_TOOLS:-$repo_root/.tools/delivery}"
out="$tools/bin"
src="$tools/src"
stamp="$tools/built-versions"
prometheus_version=$(sed -n 's|.*github.com/prometheus/prometheus/cmd/promtool@\(v[0-9.]*\).*|\1|p' "$repo_root/package.json")
[ -n "$prometheus_version" ] || die "package.json's tools script pins no promtool version"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"

wanted() {
  # The last line: a change to how this script builds.
  printf 'flagger %s\ntraefik %s\nprometheus %s\nkeda %s\ngo %s\nrecipe 1\n' \
    "$flagger_version" "$traefik_version" "$prometheus_version" "$keda_version" "$(go env GOVERSION)"
}
gomod_of() { # module@version: the path of its go.mod in the module cache
  go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p'
}
dir_of() { # module@version: its folder in the module cache
  go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'
}

# All of KEDA's CRDs (a download, no build): the operator watches every kind
# it defines, and the plane of scripts/cluster installs the ScaledObject's alone.
keda_crds="$tools/crds/keda"
if [ "$(cat "$keda_crds/VERSION" 2>/dev/null)" != "v$keda_version" ]; then
  keda_dir=$(dir_of "github.com/kedacore/keda/v2@v$keda_version")
  [ -d "$keda_dir/config/crd/bases" ] || die "could not download github.com/kedacore/keda/v2@v$keda_version (its CRDs)"
  rm -rf "$keda_crds"
  mkdir -p "$keda_crds"
  cp "$keda_dir"/config/crd/bases/*.yaml "$keda_crds/"
  chmod u+w "$keda_crds/"*
  printf 'v%s\n' "$keda_version" >"$keda_crds/VERSION"
  say "KEDA v$keda_version CRDs in ${keda_crds#"$repo_root"/}"
fi

binaries=(flagger traefik prometheus keda-operator keda-adapter)
if binaries_current "$stamp" "$(wanted)" "$out" "${binaries[@]}"; then
  say "binaries up to date in ${out#"$repo_root"/}"
  exit 0
fi
start_build "$stamp" "$out" "$src"

step "flagger v$flagger_version"
GOBIN="$out" go install -v -trimpath -ldflags "-s -w" "github.com/fluxcd/flagger/cmd/flagger@v$flagger_version" 2>&1 | progress

# Prometheus: the tags keep the Kubernetes discovery alone (the scrape
# configuration is what the Prometheus Operator makes of the stack's
# ServiceMonitor: test/e2e/delivery.ts).
step "prometheus $prometheus_version (Kubernetes service discovery only)"
GOBIN="$out" go install -v -trimpath -tags remove_all_sd,enable_kubernetes_sd -ldflags "-s -w" \
  "github.com/prometheus/prometheus/cmd/prometheus@$prometheus_version" 2>&1 | progress

# Traefik: its go.mod has replace directives, so a wrapper module that
# carries them over, with three stand-ins where the module proxy cannot serve
# what they name:
#  - github.com/traefik/traefik/dynamic/ext is a module nested in Traefik's
#    repository, so its module zip leaves it out: the open-source build's
#    extension points are two empty structs, written here;
#  - its fork of github.com/abbot/go-http-auth (github.com/containous/...)
#    answers 403 at the proxy: the upstream v0.4.0, with the two functions the
#    fork adds (basic and digest auth middlewares; not used by the checks);
#  - six of lego's DNS providers (ACME DNS challenges; not used) need SDK
#    versions the proxy answers 403 for: a copy of lego without them.
step "traefik v$traefik_version (wrapper module; stand-ins for what the proxy cannot serve)"
tf_src="$src/traefik"
rm -rf "$tf_src"
mkdir -p "$tf_src/ext" "$tf_src/goauth"
tf_gomod=$(gomod_of "github.com/traefik/traefik/v3@v$traefik_version")
[ -f "$tf_gomod" ] || die "could not download github.com/traefik/traefik/v3@v$traefik_version"
lego=$(sed -n 's/^\tgithub.com\/go-acme\/lego\/v5 \(v[^ ]*\)$/\1/p' "$tf_gomod")
[ -n "$lego" ] || die "Traefik's go.mod requires no github.com/go-acme/lego/v5: the stand-ins need a look"
grep -qF 'github.com/abbot/go-http-auth => github.com/containous/go-http-auth' "$tf_gomod" \
  || die "Traefik's go.mod no longer replaces go-http-auth with its fork: the stand-ins need a look"
printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24\n' >"$tf_src/ext/go.mod"
cat >"$tf_src/ext/ext.go" <<'GO'
// Package ext stands in for Traefik's nested module of this path.
package ext

// HTTP extends dynamic.HTTP (nothing in the open-source build).
type HTTP struct{}

// Router extends dynamic.Router (nothing in the open-source build).
type Router struct{}
GO
cp -R "$(dir_of github.com/abbot/go-http-auth@v0.4.0)/." "$tf_src/goauth/"
chmod -R u+w "$tf_src/goauth"
rm -rf "$tf_src/goauth/examples"
printf 'module github.com/abbot/go-http-auth\n\ngo 1.12\n' >"$tf_src/goauth/go.mod"
cat >"$tf_src/goauth/zz_stand_in.go" <<'GO'
package auth

import (
	"net/http"
	"strings"
)

// CheckSecret reports whether password matches its stored secret: the
// comparison CheckAuth makes.
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, cmp := range compareFuncs[1:] {
		if strings.HasPrefix(secret, cmp.prefix) {
			compare = cmp.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuthStale asks for authentication again.
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	a.RequireAuth(w, r)
}
GO
cp -R "$(dir_of "github.com/go-acme/lego/v5@$lego")" "$tf_src/lego"
chmod -R u+w "$tf_src/lego"
providers="$tf_src/lego/providers/dns/zz_gen_dns_providers.go"
for p in edgedns huaweicloud oraclecloud sakuracloud ucloud yandexcloud; do
  grep -q "^	\"github.com/go-acme/lego/v5/providers/dns/$p\"$" "$providers" || die "lego $lego has no DNS provider $p: the stand-ins need a look"
  # The import, and the case with its return line.
  sed -i "\|^	\"github.com/go-acme/lego/v5/providers/dns/$p\"$|d; /^	case \"$p\"\(, \"[a-z]*\"\)*:$/,+1d" "$providers"
done
{
  printf 'module goapi.local/delivery/traefik\n\ngo %s\n\nrequire github.com/traefik/traefik/v3 v%s\n\n' "$(sed -n 's/^go //p' "$tf_gomod")" "$traefik_version"
  printf 'replace (\n\tgithub.com/traefik/traefik/dynamic/ext => ./ext\n\tgithub.com/abbot/go-http-auth => ./goauth\n\tgithub.com/go-acme/lego/v5 => ./lego\n'
  grep -E '^\s+github.com/gorilla/mux => ' "$tf_gomod"
  printf ')\n\n'
  grep -E '^exclude ' "$tf_gomod"
} >"$tf_src/go.mod"
# No go mod tidy: it resolves the tests' imports too, some of which the proxy
# does not serve; the build resolves what the command needs.
(cd "$tf_src" && GOFLAGS="$GOFLAGS -mod=mod" go build -v -trimpath -ldflags "-s -w" -o "$out/traefik" \
  "github.com/traefik/traefik/v3/cmd/traefik" 2>&1 | progress)
[ -x "$out/traefik" ] || die "traefik did not build (its output above)"
# The Gateway API's standard CRDs at the version Traefik is built with (the
# pinned HTTPRoute CRD of scripts/cluster is older; Traefik also lists the
# other standard kinds, TLSRoute included, and waits for them).
gateway_api=$(sed -n 's/^\tsigs.k8s.io\/gateway-api \(v[^ ]*\)$/\1/p' "$tf_gomod")
[ -n "$gateway_api" ] || die "Traefik's go.mod requires no sigs.k8s.io/gateway-api"
rm -rf "$tools/crds/gateway-api"
mkdir -p "$tools/crds/gateway-api"
cp "$(dir_of "sigs.k8s.io/gateway-api@$gateway_api")"/config/crd/standard/gateway.networking.k8s.io_*.yaml "$tools/crds/gateway-api/"
chmod u+w "$tools/crds/gateway-api/"*
printf '%s\n' "$gateway_api" >"$tools/crds/gateway-api/VERSION"

step "keda v$keda_version (wrapper module)"
kd_src="$src/keda"
mkdir -p "$kd_src"
kd_gomod=$(gomod_of "github.com/kedacore/keda/v2@v$keda_version")
[ -f "$kd_gomod" ] || die "could not download github.com/kedacore/keda/v2@v$keda_version"
{
  printf 'module goapi.local/delivery/keda\n\ngo %s\n\nrequire github.com/kedacore/keda/v2 v%s\n\n' "$(sed -n 's/^go //p' "$kd_gomod")" "$keda_version"
  sed -n '/^replace (/,/^)/p' "$kd_gomod"
} >"$kd_src/go.mod"
printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "github.com/kedacore/keda/v2/cmd/adapter"\n\t_ "github.com/kedacore/keda/v2/cmd/operator"\n)\n' >"$kd_src/tools.go"
(cd "$kd_src" && go mod tidy 2>&1 | progress)
(cd "$kd_src" && go build -v -trimpath -ldflags "-s -w" -o "$out/keda-operator" github.com/kedacore/keda/v2/cmd/operator 2>&1 | progress)
(cd "$kd_src" && go build -v -trimpath -ldflags "-s -w" -o "$out/keda-adapter" github.com/kedacore/keda/v2/cmd/adapter 2>&1 | progress)

for b in "${binaries[@]}"; do [ -x "$out/$b" ] || die "$b was not built"; done
wanted >"$stamp"
step "done: ${binaries[*]} in ${out#"$repo_root"/}"
