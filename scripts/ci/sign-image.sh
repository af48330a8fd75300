#!/usr/bin/env bash
# Signs a pushed image by digest with cosign, keyless: in GitHub Actions the
# signing certificate is issued to this workflow run through its OIDC token (the
# job needs id-token: write), the signature is stored in the registry beside the
# image and logged in Sigstore's public transparency log.
#
#   scripts/ci/sign-image.sh <repository>@sha256:<digest>
#
# COSIGN_VERSION  if set, the cosign on PATH must be this version (the CI pin)
# REGISTRY_USERNAME, REGISTRY_PASSWORD  to push the signature (a private Docker
# config, removed at exit, holds the login).
set -euo pipefail
# shellcheck source=scripts/lib/image-ref.sh
source "$(dirname "$0")/../lib/image-ref.sh"

ref=${1:-}
require_digest_ref "$ref" sign-image
command -v cosign >/dev/null || { echo "sign-image: cosign is not installed (https://docs.sigstore.dev/cosign/system_config/installation/)" >&2; exit 2; }
[ -z "${COSIGN_VERSION:-}" ] ||
  require_pinned_version sign-image cosign "$COSIGN_VERSION" "$(cosign version 2>/dev/null | sed -n 's/^GitVersion: *//p' | head -n 1)"
registry_login "$ref" cosign
cosign sign --yes "$ref"
echo "sign-image: signed $ref"
