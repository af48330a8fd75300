#!/usr/bin/env bash
# Stub node: its version comes from $W/node-major (default 22). Asked for the
# pulumi package's resolve(), it answers the stub CLI's path, as the package
# would answer the path of the CLI it installed; any other `node -e` runs the
# real node ($STUB_REAL_NODE).
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
block_point "$@"
fact node-major
major=${fact:-22}
case "$1" in
  --version) echo "v$major.1.0" ;;
  -e)
    case "${3:-}" in
      */node_modules/pulumi/lib/resolve.js) echo "${0%/*}/pulumi" ;;
      *) exec "${STUB_REAL_NODE:?}" "$@" ;;
    esac ;;
  *) echo "stub node: unexpected call: $*" >&2; exit 99 ;;
esac
