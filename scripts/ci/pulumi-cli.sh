#!/usr/bin/env bash
# Installs the Pulumi CLI the one way the project uses everywhere: the `pulumi`
# npm package (run `npm ci` first), whose version package.json pins to the SDK's.
# Its first run downloads that CLI release into ~/.pulumi/versions/<version>/.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "$0")/lib.sh"

[ -z "${PULUMI_VERSION:-}" ] || fail "PULUMI_VERSION is set" "it would override the CLI version pinned in package.json"
cd "$project_dir"
want=$(node -p 'require("./package.json").devDependencies.pulumi')
got=$(pulumi version)
[ "$got" = "v$want" ] || fail "wrong Pulumi CLI" "package.json pins pulumi $want, the CLI reports $got"
echo "ci: Pulumi CLI $got"
