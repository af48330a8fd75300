#!/usr/bin/env bash
# Builds the Pulumi engine from Go modules into .tools/engine/bin, for machines
# where the CLI download site is unreachable but the Go module proxy is not:
#   pulumi                      github.com/pulumi/pulumi/pkg/v3 (the @pulumi/pulumi version,
#                               or the nearest older release the proxy serves)
#   pulumi-language-nodejs      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4 (the @pulumi/kubernetes version)
# These modules carry replace directives, so `go install module@version` refuses
# them; each is built from a generated wrapper module that requires it and
# repeats its replacements. Idempotent: a piece already built at its version is
# skipped. Exits non-zero, naming the pieces, if any piece cannot be built.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.tools/engine/bin"
mkdir -p "$out"

dep() { node -p "require('$root/package.json').dependencies['$1']"; }
sdk_version=$(dep @pulumi/pulumi)
k8s_version=$(dep @pulumi/kubernetes)

# The go.mod of module@version, or nothing if the proxy does not serve it.
gomod_of() { go mod download -json "$1@$2" 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const j = JSON.parse(s); if (j.GoMod && !j.Error) console.log(j.GoMod); });' || true; }

# The version itself, or the nearest older minor release (same major) the proxy serves.
nearest() { # module version
  local module=$1 major minor _patch
  IFS=. read -r major minor _patch <<<"$2"
  for ((m = minor; m > minor - 15 && m >= 0; m--)); do
    local v="$major.$m.0"
    [ "$m" -eq "$minor" ] && v=$2
    if [ -n "$(gomod_of "$module" "v$v")" ]; then echo "$v"; return; fi
  done
  return 1
}

failed=()
build() { # binary module package version version-variable [sibling-module]
  local binary=$1 module=$2 package=$3 version=$4 version_var=$5 sibling=${6:-}
  local stamp="$out/.$binary-$version"
  if [ -x "$out/$binary" ] && [ -e "$stamp" ]; then
    echo "engine: $binary $version already built"
    return
  fi
  local gomod sibling_gomod=/dev/null
  gomod=$(gomod_of "$module" "v$version")
  [ -z "$sibling" ] || sibling_gomod=$(gomod_of "$sibling" "v$version")
  if [ -z "$gomod" ] || [ -z "$sibling_gomod" ]; then
    echo "engine: cannot build $binary: the module proxy does not serve $module${sibling:+ or $sibling} at v$version:" >&2
    go mod download -json "$module@v$version" ${sibling:+"$sibling@v$version"} 2>&1 | sed -n 's/.*"Error": "\(.*\)".*/  \1/p' >&2 || true
    failed+=("$binary")
    return
  fi
  local dir
  dir=$(mktemp -d)
  {
    echo "module goapi.local/engine/$binary"
    echo "go 1.26"
    echo "require $module v$version"
    [ -z "$sibling" ] || echo "require $sibling v$version"
    # Replacements that point at module versions; ones that point at folders
    # of the same repository are met by requiring the sibling module above.
    grep -hE '^replace .* => [^ ./][^ ]* v[^ ]+$' "$gomod" "$sibling_gomod" | sort -u || true
  } >"$dir/go.mod"
  printf '//go:build tools\n\npackage engine\n\nimport _ "%s"\n' "$package" >"$dir/tools.go"
  echo "engine: building $binary $version from $module (this takes minutes from a cold cache)"
  local start=$SECONDS
  if (cd "$dir" && go mod tidy >"$dir/log" 2>&1 && CGO_ENABLED=0 go build -ldflags "-X $version_var=v$version" -o "$out/$binary" "$package" >>"$dir/log" 2>&1); then
    touch "$stamp"
    echo "engine: built $binary in $((SECONDS - start)) s"
  else
    echo "engine: building $binary failed (cd $dir && go mod tidy && go build $package):" >&2
    tail -n 20 "$dir/log" >&2
    failed+=("$binary")
  fi
}

# The pinned version, or the nearest older release the proxy serves.
pick() { # module version
  local v
  v=$(nearest "$1" "$2" || echo "$2")
  [ "$v" = "$2" ] || echo "engine: $1 v$2 is not served; using the nearest release v$v" >&2
  echo "$v"
}
cli_version=$(pick github.com/pulumi/pulumi/pkg/v3 "$sdk_version")
host_version=$(pick github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$sdk_version")
k8s_version=$(pick github.com/pulumi/pulumi-kubernetes/provider/v4 "$k8s_version")

# Release builds stamp their version at link time; so do we, or the CLI reports none.
sdk_version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
build pulumi github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$cli_version" \
  "$sdk_version_var" github.com/pulumi/pulumi/sdk/v3
build pulumi-language-nodejs github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 \
  github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$host_version" "$sdk_version_var" github.com/pulumi/pulumi/sdk/v3
build pulumi-resource-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 \
  github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes "$k8s_version" \
  github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version

if ((${#failed[@]})); then
  echo "engine: not built: ${failed[*]}" >&2
  exit 1
fi
echo "engine: all pieces in $out"
