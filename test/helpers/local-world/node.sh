#!/usr/bin/env bash
# Stub node: its version comes from $W/node-major (default 22). Any `node -e`
# runs the real node ($STUB_REAL_NODE), with the stubs' folder in $STUB_BIN
# for the fake pulumi package's resolve() (see ../local-world.ts).
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
block_point "$@"
fact node-major
major=${fact:-22}
case "$1" in
  --version) echo "v$major.1.0" ;;
  -e) STUB_BIN=${0%/*} exec "${STUB_REAL_NODE:?}" "$@" ;;
  *) echo "stub node: unexpected call: $*" >&2; exit 99 ;;
esac
