#!/usr/bin/env bash
# Scans a pushed image with Trivy and fails on any HIGH or CRITICAL
# vulnerability that has a fixed version: those a rebuild (new base digests,
# updated Go modules) can remove. Unfixed ones are left out of the verdict.
#
#   scripts/ci/scan-image.sh <repository>@sha256:<digest>
#
# PLATFORMS    comma-separated, e.g. linux/amd64,linux/arm64: scan each platform
#              of a multi-platform image (default: the one Trivy picks)
# TRIVY_VERSION  if set, the trivy on PATH must be this version (the CI pin)
# REGISTRY_USERNAME, REGISTRY_PASSWORD  for a private registry; used for the
#              image only, never for the vulnerability database
# Accepted findings go in .trivyignore (one CVE id a line, with a comment why).
# Exit: 0 clean, 1 fixable HIGH/CRITICAL found, 2 could not scan.
set -euo pipefail
# shellcheck source=scripts/lib/image-ref.sh
source "$(dirname "$0")/../lib/image-ref.sh"

ref=${1:-}
require_digest_ref "$ref" scan-image
command -v trivy >/dev/null || { echo "scan-image: trivy is not installed (https://trivy.dev/latest/getting-started/installation/)" >&2; exit 2; }
[ -z "${TRIVY_VERSION:-}" ] ||
  require_pinned_version scan-image trivy "$TRIVY_VERSION" "$(trivy --version | sed -n 's/^Version: *//p' | head -n 1)"

# The vulnerability database comes from Trivy's own registries, fetched once and
# anonymously: the registry credential below goes to the image's registry only.
if ! (unset TRIVY_USERNAME TRIVY_PASSWORD && trivy image --download-db-only --no-progress); then
  echo "scan-image: could not download Trivy's vulnerability database" >&2
  exit 2
fi
if [ -n "${REGISTRY_PASSWORD:-}" ]; then
  # Trivy reads registry credentials from its environment, never from argv.
  export TRIVY_USERNAME="${REGISTRY_USERNAME:?REGISTRY_USERNAME goes with REGISTRY_PASSWORD}" TRIVY_PASSWORD="$REGISTRY_PASSWORD"
fi

platforms=()
IFS=, read -r -a platforms <<<"${PLATFORMS:-}"
((${#platforms[@]})) || platforms=("")

severities="HIGH,CRITICAL"
verdict=0
for platform in "${platforms[@]}"; do
  args=(image --scanners vuln --severity "$severities" --ignore-unfixed --exit-code 3 --no-progress --skip-db-update)
  [ -z "$platform" ] || args+=(--platform "$platform")
  where="$ref${platform:+ ($platform)}"
  echo "scan-image: $where"
  status=0
  trivy "${args[@]}" "$ref" || status=$?
  case $status in
    0) echo "scan-image: no fixable HIGH or CRITICAL vulnerability in $where" ;;
    3) echo "scan-image: fixable HIGH or CRITICAL vulnerabilities in $where (listed above): bump the bases (scripts/bump-base-images.sh) or the Go modules, rebuild" >&2
       verdict=1 ;;
    *) echo "scan-image: trivy could not scan $where (exit $status)" >&2
       exit 2 ;;
  esac
done
exit "$verdict"
