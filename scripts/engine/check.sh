#!/usr/bin/env bash
# Runs every stack through the real Pulumi engine built by install.sh: preview
# (expected resource counts, no warnings), `up` with the Kubernetes provider
# rendering YAML instead of talking to a cluster (goapi:renderYamlTo), a second
# preview that must show no changes, and kube-score over the rendered manifests.
# Uses a prebuilt image digest and an explicit token, so neither the Docker nor
# the random provider is needed. State and rendered files live in a temp folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

"$root/scripts/engine/install.sh"
export PATH="$root/.tools/engine/bin:$PATH"
(cd "$root" && npm run --silent tools)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULUMI_HOME="$work/home" PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=engine-check PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$work/state"

# A copy of the project, so creating stacks never touches the committed stack files.
project="$work/project"
mkdir -p "$project/app"
cp -R "$root"/Pulumi.*yaml "$root"/index.ts "$root"/components "$root"/package.json "$root"/tsconfig.json "$project/"
ln -s "$root/node_modules" "$project/node_modules"
cd "$project"

run() { # prints the command, and its output only if it fails
  local out
  echo "+ $*"
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out"
    echo "engine-check: FAILED: $*" >&2
    exit 1
  fi
  printf '%s\n' "$out" >"$work/last.out"
}

ref="ghcr.io/your-org/goapi@sha256:$(printf 'engine-check' | sha256sum | cut -d' ' -f1)"
declare -A expected=([local]=9 [dev]=9 [prod]=10) # Kubernetes objects per stack

for stack in local dev prod; do
  echo "== $stack"
  run pulumi stack init "$stack"
  run pulumi config set --stack "$stack" --path goapi:image.ref "$ref"
  run pulumi config set --stack "$stack" --secret goapi:apiToken engine-check-token-0123456789
  run pulumi config set --stack "$stack" goapi:renderYamlTo "$work/render/$stack"

  run pulumi preview --stack "$stack" --json
  # shellcheck disable=SC2016 # the quoted text is JavaScript
  node -e '
    const [file, want] = process.argv.slice(1);
    const p = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const k8s = (p.steps ?? []).filter((s) => /^kubernetes:(?!.*providers)/.test(s.newState?.type ?? ""));
    const warnings = (p.diagnostics ?? []).filter((d) => d.severity === "warning" || d.severity === "error");
    for (const d of warnings) console.error(`${d.severity}: ${d.message}`);
    if (k8s.length !== Number(want)) { console.error(`expected ${want} Kubernetes objects, preview has ${k8s.length}`); process.exit(1); }
    if (warnings.length) process.exit(1);
    console.log(`preview: ${k8s.length} Kubernetes objects, no warnings`);
  ' "$work/last.out" "${expected[$stack]}" || { echo "engine-check: FAILED: preview of $stack" >&2; exit 1; }

  run pulumi up --stack "$stack" --yes --skip-preview
  run pulumi preview --stack "$stack" --expect-no-changes
  echo "second preview: no changes"

  run "$root/.tools/bin/kube-score" score "$work/render/$stack"/1-manifest/*.yaml
  echo "kube-score: no findings"
done
echo "engine-check: every stack previewed, rendered, stable and clean"
