#!/usr/bin/env bash
# npm run test:mutation [-- FOLDER...]: mutation testing, slow and outside
# .ci/run (docs/testing.md). FOLDER is components (every group of
# scripts/mutation/component-groups.mjs, then the scores file by file),
# components/<group> (one group), policy, report, scripts (Stryker, one run
# each) or app (gremlins over app/internal); none means all of them.
# Each Stryker run is incremental: only mutants in changed code, or covered by
# changed tests, run again. Reports land in reports/mutation/<folder>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Pinned; installed into .tools/bin on first use, like kube-score.
gremlins_version=v0.6.0

folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  folders=(components policy report scripts app)
fi

stryker() {
  echo "mutation: $1 (Stryker)"
  MUTATE_FOLDER="$1" npx stryker run
}

for folder in "${folders[@]}"; do
  case "$folder" in
    components)
      for group in $(node --input-type=module -e 'import { componentGroups } from "./scripts/mutation/component-groups.mjs"; console.log(Object.keys(componentGroups).join(" "))'); do
        stryker "components/$group"
      done
      node scripts/mutation/summary.mjs
      ;;
    components/* | policy | report | scripts)
      stryker "$folder"
      ;;
    app)
      gremlins="$PWD/.tools/bin/gremlins"
      # The binary reports "dev"; the module version is in its build info.
      if ! go version -m "$gremlins" 2>/dev/null | grep -qE "^\s+mod\s+github.com/go-gremlins/gremlins\s+$gremlins_version\s"; then
        echo "mutation: installing gremlins $gremlins_version into .tools/bin"
        GOBIN="$PWD/.tools/bin" go install "github.com/go-gremlins/gremlins/cmd/gremlins@$gremlins_version"
      fi
      echo "mutation: app/internal (gremlins)"
      mkdir -p reports/mutation/app
      # Only internal/: cmd/ is the binary's wiring, whose tests build and run
      # the binary (gremlins' per-package runs do not see it), and bench/ a load
      # generator. pgtest and itemstest are test support (a PostgreSQL per test
      # binary, the store double, the conformance suite), not the product.
      (cd app && "$gremlins" unleash --workers 1 --timeout-coefficient 10 \
        --exclude-files '(^|/)pgtest/' --exclude-files '(^|/)itemstest/' \
        --output ../reports/mutation/app/gremlins.json ./internal)
      ;;
    *)
      echo "mutation: unknown folder '$folder': components, components/<group>, policy, report, scripts or app" >&2
      exit 2
      ;;
  esac
done
