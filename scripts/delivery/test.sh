#!/usr/bin/env bash
# npm run test:delivery: canary releases and request-rate autoscaling with
# the real controllers on the real nodes of npm run test:e2e
# (test/e2e/*delivery.e2e.ts, docs/delivery.md). Builds Flagger, Traefik,
# Prometheus and KEDA from the Go module proxy (scripts/delivery/build.sh;
# cold: minutes), then runs scripts/e2e/test.sh with these checks alone and
# the faulty images the canary checks release. Needs root. Arguments go to
# scripts/e2e/test.sh (--keep, jest's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { printf 'delivery: needs root (the real nodes of scripts/e2e/test.sh)\n' >&2; exit 1; }
"$here/build.sh"
GOAPI_E2E_DELIVERY=1 exec "$here/../e2e/test.sh" --testPathPatterns 'delivery\.e2e\.ts$' "$@"
