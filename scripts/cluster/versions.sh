# shellcheck shell=bash
# shellcheck disable=SC2034 # read by the scripts that source this file
# The one place that pins the control plane used by `npm run test:cluster` and
# `npm run cluster:up`. Changing a version here rebuilds on the next run.
#
# Kubernetes: k8s.io/kubernetes at this release; its staging modules
# (k8s.io/api, k8s.io/apiserver, ...) at the matching v0.<minor>.<patch>. Pick a
# release whose staging modules are all served by the Go module proxy.
kubernetes_version=1.34.1
# etcd: go.etcd.io/etcd/server/v3. The 3.4 series ran the API server but left
# kwok's pods stuck mid-rollout, so 3.6.
etcd_version=3.6.16
# kwok: sigs.k8s.io/kwok, a fake node that makes pods Running and Ready.
kwok_version=0.8.0
# The Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), which every
# stack's monitoring objects need: from the operator's Go module, which ships
# them (the newest version the Go module proxy serves). No binary: they are
# fetched apart from the stamp, so a change here rebuilds nothing.
prometheus_operator_version=0.85.0
# The delivery controllers' CRDs, which a canary stack's and a request-rate
# stack's objects need (docs/delivery.md), fetched the same way from each
# project's Go module: Flagger's Canary and MetricTemplate (the newest version
# the module proxy serves), KEDA's ScaledObject (the newest that Go 1.26 builds:
# v2.21 needs Go 1.27), and the Gateway API's HTTPRoute (the standard channel
# of the release Traefik v3's Gateway provider implements).
flagger_version=1.36.1
keda_version=2.20.2
gateway_api_version=1.4.1
# The oldest Go that builds all three (kwok 0.8.0 needs 1.26).
go_minimum=1.26

# Real nodes for `npm run test:e2e`, built from the Go module proxy like the
# plane (scripts/e2e/build.sh). The kubelet and kube-proxy come from
# k8s.io/kubernetes at kubernetes_version above.
# CoreDNS: github.com/coredns/coredns, with only the plugins the cluster DNS needs.
coredns_version=1.15.0
# BuildKit: github.com/moby/buildkit (buildkitd and buildctl); builds app/Dockerfile.
buildkit_version=0.34.2
# The NetworkPolicy enforcer: kube-router's firewall alone (no routing, no
# service proxy). The newest v2 release the module proxy serves.
kube_router_version=2.1.0
# BuildKit 0.34 needs Go 1.26.8.
e2e_go_minimum=1.26.8

# The delivery controllers as host processes for `npm run test:delivery`
# (scripts/delivery/build.sh, docs/delivery.md): Flagger and KEDA at the
# versions above, Traefik v3 as the Gateway API implementation (the newest
# v3 the module proxy serves), and the Prometheus server at promtool's version
# (package.json), with Kubernetes service discovery.
traefik_version=3.7.13
