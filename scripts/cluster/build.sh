#!/usr/bin/env bash
# Builds the pinned control plane (scripts/cluster/versions.sh) from the Go
# module proxy into .tools/cluster/bin: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl and kwok, and the real
# nodes' kubelet and kube-proxy (npm run test:e2e): one go build for all six
# Kubernetes commands, so their shared packages compile once and the links
# overlap the compiling. A second run with the same versions returns at once.
# Cold: minutes (see docs/testing.md).
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
require go
go_version=$(go env GOVERSION)
go_version=${go_version#go}
printf '%s\n%s\n' "$go_minimum" "$go_version" | sort -V -C || die "Go $go_minimum or newer is required (found $go_version)"

# Go's own toolchain switching would download another Go; use the one here.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"

# The Prometheus Operator's CRDs, from its module (a download, no build).
missing_crds=0
for crd in "${crds[@]}"; do [ -f "$crds_dir/monitoring.coreos.com_$crd.yaml" ] || missing_crds=1; done
if [ "$missing_crds" = 1 ]; then
  operator_dir=$(go mod download -json "github.com/prometheus-operator/prometheus-operator@v$prometheus_operator_version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$operator_dir" ] || die "could not download github.com/prometheus-operator/prometheus-operator@v$prometheus_operator_version (its CRDs)"
  mkdir -p "$crds_dir"
  for crd in "${crds[@]}"; do cp "$operator_dir/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml" "$crds_dir/"; done
  say "Prometheus Operator v$prometheus_operator_version CRDs in ${crds_dir#"$repo_root"/}"
fi

# The delivery controllers' CRDs, likewise (downloads, no build).
for entry in "${delivery_crds[@]}"; do
  read -r folder module inside files <<<"$entry"
  [ -f "$crds_root/$folder/$files" ] && continue
  module_dir=$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$module_dir" ] || die "could not download $module (its CRDs)"
  mkdir -p "$crds_root/$folder"
  cp "$module_dir/$inside/$files" "$crds_root/$folder/"
  chmod u+w "$crds_root/$folder/$files"
  say "$module CRDs in ${crds_root#"$repo_root"/}/$folder"
done

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy kwok)
if [ -f "$stages_file" ] && binaries_current "$stamp_file" "$(wanted_stamp)" "$bin_dir" "${binaries[@]}"; then
  say "binaries up to date in ${bin_dir#"$repo_root"/} (kubernetes $kubernetes_version, etcd $etcd_version, kwok $kwok_version)"
  exit 0
fi

start_build "$stamp_file" "$bin_dir" "$src_dir"

# A wrapper module per component (build_kubernetes in lib.sh; etcd's server
# has replace directives too).

step "kubernetes v$kubernetes_version (the slow part: each line is a package)"
build_kubernetes "$src_dir/kubernetes" goapi.local/cluster/kubernetes "$bin_dir" \
  kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy

step "etcd v$etcd_version"
etcd_src="$src_dir/etcd"
mkdir -p "$etcd_src"
printf 'module goapi.local/cluster/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$etcd_version" >"$etcd_src/go.mod"
printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$etcd_src/tools.go"
(cd "$etcd_src" && go mod tidy 2>&1 | progress)
(cd "$etcd_src" && go build -v -trimpath -ldflags "-s -w" -o "$bin_dir/etcd" go.etcd.io/etcd/server/v3 2>&1 | progress)

step "kwok v$kwok_version"
GOBIN="$bin_dir" go install -v -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$kwok_version" 2>&1 | progress
# kwok's stages (what makes a fake node Ready and its pods Running) ship in
# its module, not in the binary.
kwok_dir=$(go mod download -json "sigs.k8s.io/kwok@v$kwok_version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
for stage in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  printf -- '---\n'
  cat "$kwok_dir/kustomize/stage/$stage"
done >"$stages_file.tmp"
mv "$stages_file.tmp" "$stages_file"

wanted_stamp >"$stamp_file"
step "done: $(cd "$bin_dir" && echo "${binaries[@]}") in ${bin_dir#"$repo_root"/}"
