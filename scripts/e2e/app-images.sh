#!/usr/bin/env bash
# The app image from app/Dockerfile, unchanged, built with BuildKit for the
# real nodes. This is the one place that substitutes its base images: the
# digests it pins cannot be pulled on the test machines, so each FROM is
# replaced through a named build context with an image made here:
#   the build stage (golang:<version>): the machine's Go (GOROOT) on busybox,
#     with a read-only module proxy of app/'s modules (GOPROXY=file://), so
#     `go mod download` needs no network;
#   the runtime (distroless static nonroot): the layout of distroless:
#     uid/gid 65532 "nonroot" with its home, passwd and group entries,
#     Debian's CA certificates and tzdata, an empty /tmp.
# Besides the release image it builds the variants the checks roll out, each
# from a copy of app/ with one file added and the same Dockerfile: a second
# version (another VERSION), one that exits at start (logging its secrets
# first), one that never gets ready and one whose migration fails; and, for
# the canary checks (test/e2e/delivery.e2e.ts), one that answers slowly and
# one that fails some requests, each a copy with a handler added in front of
# the API (fault_variant).
# Usage: app-images.sh STATE   (prints name=reference lines)
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
state=${1:?usage: app-images.sh STATE}
app="$repo_root/app"
work="$state/images/app"
mkdir -p "$work"

# The two FROM images of app/Dockerfile, as written there.
mapfile -t bases < <(sed -n 's/^FROM \(--platform=[^ ]* \)\{0,1\}\([^ ]*\).*/\2/p' "$app/Dockerfile")
[ "${#bases[@]}" = 2 ] || die "app/Dockerfile: expected two FROM lines (build and runtime), found ${#bases[@]}"
case ${bases[0]} in golang@sha256:*) ;; *) die "app/Dockerfile: the build stage is ${bases[0]}, not golang@sha256:..." ;; esac
case ${bases[1]} in gcr.io/distroless/static*@sha256:*) ;; *) die "app/Dockerfile: the runtime is ${bases[1]}, not distroless static" ;; esac

# --- the Go toolchain base
goroot=$(go env GOROOT)
proxy="$work/goproxy"
rm -rf "$proxy" "$work/modcache"
(cd "$app" && go mod download) # fills the machine's module cache (from the module proxy on a first run)
machine_cache=$(go env GOMODCACHE)
(cd "$app" && GOFLAGS=-modcacherw GOMODCACHE="$work/modcache" GOPROXY="file://$machine_cache/cache/download" GOSUMDB=off go mod download)
mv "$work/modcache/cache/download" "$proxy"
rm -rf "$work/modcache"
root="$work/toolchain-rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/go" "$root/root"
mkdir -m 1777 "$root/tmp"
chmod 0777 "$root/go"
cp /bin/busybox "$root/bin/busybox"
for applet in sh cat cp mkdir rm ls env uname; do ln -sf busybox "$root/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
cat >"$work/toolchain.Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY --from=rootfs . /
COPY --from=goroot . /usr/local/go
COPY --from=goproxy . /goproxy
ENV PATH=/go/bin:/usr/local/go/bin:/bin GOPATH=/go GOPROXY=file:///goproxy GOTOOLCHAIN=local
WORKDIR /go
DOCKERFILE
toolchain=$(push_build "$state" toolchain --local dockerfile="$work" --opt filename=toolchain.Dockerfile \
  --local rootfs="$root" --opt context:rootfs=local:rootfs \
  --local goroot="$goroot" --opt context:goroot=local:goroot \
  --local goproxy="$proxy" --opt context:goproxy=local:goproxy)

# --- the distroless static nonroot layout
root="$work/static-rootfs"
mkdir -p "$root/etc/ssl/certs" "$root/usr/share" "$root/home/nonroot"
mkdir -m 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$root/usr/share/"
cat >"$work/static.Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY --from=rootfs . /
COPY --from=rootfs --chown=65532:65532 home/nonroot /home/nonroot
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532
WORKDIR /home/nonroot
DOCKERFILE
static=$(push_build "$state" static-nonroot --local dockerfile="$work" --opt filename=static.Dockerfile \
  --local rootfs="$root" --opt context:rootfs=local:rootfs)

# --- app/Dockerfile, as it is, with the two bases substituted
substitute=(--opt "context:${bases[0]}=docker-image://$toolchain" --opt "context:${bases[1]}=docker-image://$static")
app_build() { # name context VERSION
  push_build "$state" "$1" --local context="$2" --local dockerfile="$app" "${substitute[@]}" \
    --opt build-arg:VERSION="$3" --opt build-arg:COMMIT=e2e
}

# A copy of app/ with one file added: what a faulty release would ship.
variant() { # name file content
  local dir="$work/variants/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -a "$app/." "$dir/"
  mkdir -p "$(dirname "$dir/$2")"
  printf '%s\n' "$3" >"$dir/$2"
  printf '%s\n' "$dir"
}

# A copy of app/ whose API handler goes through fault() (the file given)
# first, inside the middleware that times and counts each request, so the
# app's own metrics see what the clients see. The one line changed in
# internal/api/api.go must be there: a refactor of it fails here, by name.
fault_variant() { # name fault.go-content
  local dir line='h := middleware.Observe(o.Logger, o.Metrics, middleware.Recover(o.Logger, a))'
  dir=$(variant "$1" internal/api/zz_fault.go "$2")
  [ "$(grep -cxF "	$line" "$dir/internal/api/api.go")" = 1 ] \
    || die "internal/api/api.go: the line '$line' is not there once: fault_variant cannot put a fault in front of the API"
  sed -i 's/middleware.Recover(o.Logger, a))$/middleware.Recover(o.Logger, fault(a)))/' "$dir/internal/api/api.go"
  grep -q 'fault(a)' "$dir/internal/api/api.go" || die "fault_variant: the sed did not change internal/api/api.go"
  printf '%s\n' "$dir"
}

printf 'app_image=%s\n' "$(app_build goapi "$app" e2e-1)"
printf 'app_image_next=%s\n' "$(app_build goapi "$app" e2e-2)"
# shellcheck disable=SC2016 # Go source, not shell
printf 'app_image_exits=%s\n' "$(app_build goapi-exits "$(variant exits cmd/api/zz_exits_at_start.go 'package main

import (
	"fmt"
	"os"
)

// A release that cannot serve: serve (the default) exits at start; migrate
// still works. It logs its secrets first, as a careless release might: what
// explains the failed rollout must cut them out of its logs.
func init() {
	if len(os.Args) < 2 || os.Args[1] == "serve" {
		fmt.Printf("{\"level\":\"INFO\",\"msg\":\"config\",\"database\":%q,\"token\":%q}\n", os.Getenv("DATABASE_URL"), os.Getenv("API_TOKEN"))
		fmt.Println(`{"level":"ERROR","msg":"this release exits at start"}`)
		os.Exit(1)
	}
}')" e2e-exits)"
printf 'app_image_unready=%s\n' "$(app_build goapi-unready "$(variant unready internal/postgres/zz_never_ready.go 'package postgres

// A release whose readiness never passes: it wants a schema no migration makes.
func init() { SchemaVersion = 1 << 20 }')" e2e-unready)"
printf 'app_image_bad_migration=%s\n' "$(app_build goapi-bad-migration "$(variant bad-migration internal/postgres/migrations/0002_fails.sql 'SELECT 1 / 0;')" e2e-bad-migration)"
# The canary checks' faulty releases, for npm run test:delivery only.
[ "${GOAPI_E2E_DELIVERY:-0}" = 1 ] || exit 0
# shellcheck disable=SC2016 # Go source, not shell
printf 'app_image_slow=%s\n' "$(app_build goapi-slow "$(fault_variant slow 'package api

import (
	"net/http"
	"strings"
	"time"
)

// A release that answers slowly: every request for the items waits 1.2 s
// (a P99 above the canary'"'"'s 800 ms), the probes none.
func fault(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			time.Sleep(1200 * time.Millisecond)
		}
		h.ServeHTTP(w, r)
	})
}')" e2e-slow)"
# shellcheck disable=SC2016 # Go source, not shell
printf 'app_image_failing=%s\n' "$(app_build goapi-failing "$(fault_variant failing 'package api

import (
	"net/http"
	"strings"
	"sync/atomic"

	"goapi/internal/httpjson"
)

var served atomic.Int64

// A release that fails one request for the items in ten with a 500 (an
// error rate far above the canary'"'"'s 1 %), the probes never.
func fault(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") && served.Add(1)%10 == 0 {
			httpjson.Error(w, http.StatusInternalServerError, "internal", "this release fails one request in ten")
			return
		}
		h.ServeHTTP(w, r)
	})
}')" e2e-failing)"
