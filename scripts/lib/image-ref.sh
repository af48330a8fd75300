# shellcheck shell=bash
# Shared by the scripts that check, sign and verify a pushed image: they act on
# one image for good, named by digest, never on a tag that can move between the
# check and the deploy.

# <repository>[:<tag>]@sha256:<64 hex digits>
image_ref_pattern='^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$'

require_digest_ref() { # <ref> <script name>
  if ! [[ ${1:-} =~ $image_ref_pattern ]]; then
    echo "$2: '${1:-}' is not pinned by digest (<repository>@sha256:<64 hex>): a tag can move between check and deploy" >&2
    exit 2
  fi
}

# Refuses any other version of a tool than the one pinned in CI, when a pin is
# given (TRIVY_VERSION, COSIGN_VERSION: the deploy workflow sets both to what its
# install steps install). "v" prefixes are ignored.
require_pinned_version() { # <script name> <tool> <pinned or ""> <installed>
  [ -n "$3" ] || return 0
  if [ "${4#v}" != "${3#v}" ]; then
    echo "$1: $2 ${4:-of unknown version} is not the pinned $3" >&2
    exit 2
  fi
}

# A private Docker config for the registry login, removed when the script exits.
registry_login() { # <ref> <tool> ; reads REGISTRY_USERNAME, REGISTRY_PASSWORD
  [ -n "${REGISTRY_PASSWORD:-}" ] || return 0
  DOCKER_CONFIG=$(mktemp -d)
  export DOCKER_CONFIG
  trap 'rm -rf "$DOCKER_CONFIG"' EXIT
  # From stdin, so the password never appears in a process list.
  printf '%s' "$REGISTRY_PASSWORD" | "$2" login "${1%%/*}" --username "${REGISTRY_USERNAME:?REGISTRY_USERNAME goes with REGISTRY_PASSWORD}" --password-stdin >/dev/null
}
