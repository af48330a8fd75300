#!/usr/bin/env bash
# Stub docker: the registry container kind-registry, the kind node container,
# the BuildKit builder goapi-local (docker buildx), and the Docker daemon
# being down.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
[ "$1" = run ] || block_point "$@"
if [ "$1" = buildx ]; then
  [ ! -e "$W/no-buildx" ] || { echo "docker: 'buildx' is not a docker command." >&2; exit 1; }
  [ "$2" = version ] && { echo "github.com/docker/buildx v0.30.1 stub"; exit 0; }
fi
if docker_down; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
  exit 1
fi
reg="$W/registry"
port_error="driver failed programming external connectivity on endpoint kind-registry (stub): Bind for 127.0.0.1:5001 failed: port is already allocated"
no_such() { echo "Error: No such object: $1" >&2; exit 1; }

case "$1" in
  info) echo "Server Version: stub" ;;
  ps) # ps -a --format {{.Names}}
    if [ -e "$W/docker-ps-broken" ]; then echo "Error response from daemon: stub: listing containers failed" >&2; exit 1; fi
    [ ! -e "$reg" ] || echo kind-registry
    [ ! -e "$W/cluster" ] || echo goapi-control-plane ;;
  inspect) # inspect -f FORMAT NAME
    if [ "$4" != kind-registry ] || [ ! -e "$reg" ]; then no_such "$4"; fi
    case "$3" in
      "{{.State.Running}}") fact registry && if [ "$fact" = running ]; then echo true; else echo false; fi ;;
      "{{json .NetworkSettings.Networks.kind}}") [ -e "$W/registry-on-kind" ] && echo '{"NetworkID":"stub"}' || echo null ;;
      *) echo "stub docker: unexpected format $3" >&2; exit 99 ;;
    esac ;;
  run) # run -d ... --name kind-registry registry:2; the container exists before it starts
    if [ -e "$reg" ]; then
      echo 'docker: Error response from daemon: Conflict. The container name "/kind-registry" is already in use.' >&2
      exit 125
    fi
    echo stopped >"$reg"
    rm -f "$W/registry-images" "$W/registry-on-kind"
    block_point "$@"
    if [ -e "$W/port-5001-taken" ]; then echo "docker: Error response from daemon: $port_error." >&2; exit 125; fi
    echo running >"$reg"
    echo 4f1c0ffee ;;
  start)
    [ -e "$reg" ] || { echo "Error response from daemon: No such container: $2" >&2; exit 1; }
    if [ -e "$W/port-5001-taken" ]; then
      echo "Error response from daemon: $port_error" >&2
      echo "Error: failed to start containers: $2" >&2
      exit 1
    fi
    echo running >"$reg"
    echo "$2" ;;
  rm) # rm -f kind-registry
    rm -f "$reg" "$W/registry-images" "$W/registry-on-kind"
    echo "$3" ;;
  exec) # exec NODE mkdir -p DIR | exec -i NODE cp /dev/stdin FILE | exec NODE kubectl ARGS
    node=$2
    [ "$node" != -i ] || node=$3
    if [ "$node" != goapi-control-plane ] || [ ! -e "$W/cluster" ]; then
      echo "Error response from daemon: No such container: $node" >&2
      exit 1
    fi
    [ "$2" != -i ] || cat >"$W/hosts.toml"
    # A database whose data is not on its volume loses it with its pod.
    if [ "$3" = kubectl ] && [ -e "$W/database-loses-data" ]; then
      case " $* " in *" delete pod "*) rm -f "$W/db-items" ;; esac
    fi ;;
  network) # network connect kind kind-registry
    [ -e "$reg" ] || { echo "Error response from daemon: No such container: $4" >&2; exit 1; }
    [ ! -e "$W/kind-network-gone" ] || { echo "Error response from daemon: network kind not found" >&2; exit 1; }
    if [ -e "$W/registry-on-kind" ]; then
      echo "Error response from daemon: endpoint with name kind-registry already exists in network kind" >&2
      exit 1
    fi
    : >"$W/registry-on-kind" ;;
  buildx) # buildx inspect NAME | buildx create --name NAME ... | buildx rm NAME
    case "$2" in
      inspect)
        if [ -e "$W/buildx-broken" ]; then echo "ERROR: stub: reading the buildx store failed" >&2; exit 1; fi
        [ -e "$W/builder" ] || { echo "ERROR: no builder \"$3\" found" >&2; exit 1; }
        echo "Name: $3" ;;
      create)
        [ ! -e "$W/builder" ] || { echo "ERROR: existing instance for \"$4\" but no append mode, specify the node name to make changes for existing instances" >&2; exit 1; }
        echo "$*" >"$W/builder"
        echo "$4" ;;
      rm)
        [ -e "$W/builder" ] || { echo "ERROR: no builder \"$3\" found" >&2; exit 1; }
        rm -f "$W/builder" ;;
      *) echo "stub docker: unexpected call: $*" >&2; exit 99 ;;
    esac ;;
  *) echo "stub docker: unexpected call: $*" >&2; exit 99 ;;
esac
