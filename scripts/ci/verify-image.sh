#!/usr/bin/env bash
# Verifies, before a deploy, that an image digest carries a keyless cosign
# signature made by this repository's deploy workflow on main or on a release
# tag vX.Y.Z: an image pushed by anyone or anything else is refused.
#
#   scripts/ci/verify-image.sh <repository>@sha256:<digest>
#
# GITHUB_REPOSITORY       owner/name whose workflow must have signed (set in Actions)
# SIGNER_WORKFLOW         the signing workflow's path (default .github/workflows/deploy.yml)
# SIGNER_IDENTITY_REGEXP  the whole certificate identity regexp, instead of the two above
# SIGNER_ISSUER           OIDC issuer (default GitHub Actions')
# COSIGN_VERSION          if set, the cosign on PATH must be this version (the CI pin)
# REGISTRY_USERNAME, REGISTRY_PASSWORD  for a private registry
set -euo pipefail
# shellcheck source=scripts/lib/image-ref.sh
source "$(dirname "$0")/../lib/image-ref.sh"

ref=${1:-}
require_digest_ref "$ref" verify-image
command -v cosign >/dev/null || { echo "verify-image: cosign is not installed (https://docs.sigstore.dev/cosign/system_config/installation/)" >&2; exit 2; }
[ -z "${COSIGN_VERSION:-}" ] ||
  require_pinned_version verify-image cosign "$COSIGN_VERSION" "$(cosign version 2>/dev/null | sed -n 's/^GitVersion: *//p' | head -n 1)"

# shellcheck disable=SC2016 # a sed expression: $ is a character to escape, not an expansion
regex_quote() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }
identity=${SIGNER_IDENTITY_REGEXP:-}
if [ -z "$identity" ]; then
  [ -n "${GITHUB_REPOSITORY:-}" ] || { echo "verify-image: set GITHUB_REPOSITORY (owner/name) or SIGNER_IDENTITY_REGEXP: whose signature to expect" >&2; exit 2; }
  identity="^https://github\\.com/$(regex_quote "$GITHUB_REPOSITORY")/$(regex_quote "${SIGNER_WORKFLOW:-.github/workflows/deploy.yml}")@refs/(heads/main|tags/v[0-9]+\\.[0-9]+\\.[0-9]+)\$"
fi
issuer=${SIGNER_ISSUER:-https://token.actions.githubusercontent.com}

registry_login "$ref" cosign
echo "verify-image: $ref must be signed by $identity ($issuer)"
if ! cosign verify --certificate-identity-regexp "$identity" --certificate-oidc-issuer "$issuer" "$ref" >/dev/null; then
  echo "verify-image: no valid signature on $ref from $identity: not deploying it" >&2
  exit 1
fi
echo "verify-image: verified"
