#!/usr/bin/env bash
# Stub npm: `npm ci` only records the call.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
block_point "$@"
