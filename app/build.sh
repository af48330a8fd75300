#!/bin/sh
# The one way the API binary is built: the Dockerfile, the tests and the
# benchmark all call this script, so what runs here is what ships.
# Usage: build.sh OUTPUT   (VERSION and COMMIT from the environment)
set -eu
out=${1:?usage: build.sh OUTPUT}
cd "$(dirname "$0")"
pkg=goapi/internal/version
CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X $pkg.version=${VERSION:-dev} -X $pkg.commit=${COMMIT:-unknown}" \
  -o "$out" ./cmd/api
