#!/usr/bin/env bash
# Stub kind: the cluster goapi, whose node container lives in the stub Docker.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
[ "$1 $2" = "create cluster" ] || block_point "$@"
if docker_down || [ -e "$W/kind-broken" ]; then
  echo "ERROR: failed to list clusters: command \"docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label \"io.x-k8s.kind.cluster\"}}'\" failed with error: exit status 1" >&2
  exit 1
fi
forget_cluster() { rm -rf "$W/cluster" "$W/objects" "$W/hosts.toml"; }

case "$1 $2" in
  "get clusters")
    if [ -e "$W/cluster" ]; then echo goapi; else echo "No kind clusters found." >&2; fi ;;
  "get nodes")
    if [ -e "$W/cluster" ]; then echo goapi-control-plane; else echo 'No kind nodes found for cluster "goapi".' >&2; fi ;;
  "get kubeconfig")
    if ! cluster_ready; then
      echo 'ERROR: failed to get cluster internal kubeconfig: command "docker exec --privileged goapi-control-plane cat /etc/kubernetes/admin.conf" failed with error: exit status 1' >&2
      exit 1
    fi
    echo "apiVersion: v1" ;;
  "create cluster") # the node container exists, and is listed, before the control plane is up
    if [ -e "$W/cluster" ]; then
      echo 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "goapi"' >&2
      exit 1
    fi
    echo 'Creating cluster "goapi" ...' >&2
    if [ -e "$W/port-80-taken" ]; then
      echo 'ERROR: failed to create cluster: command "docker run --name goapi-control-plane ..." failed with error: exit status 125' >&2
      echo 'Command Output: docker: Error response from daemon: driver failed programming external connectivity on endpoint goapi-control-plane (stub): Bind for 127.0.0.1:80 failed: port is already allocated.' >&2
      exit 1
    fi
    forget_cluster
    echo starting >"$W/cluster"
    block_point "$@"
    echo ready >"$W/cluster"
    echo 'Set kubectl context to "kind-goapi"' >&2 ;;
  "delete cluster")
    echo 'Deleting cluster "goapi" ...' >&2
    forget_cluster ;;
  *) echo "stub kind: unexpected call: $*" >&2; exit 99 ;;
esac
