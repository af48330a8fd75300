#!/usr/bin/env bash
# Brings up the local stack: kind cluster + local registry + add-ons, then
# builds this checkout's API, pushes it and deploys it with Pulumi, then checks
# it through the Ingress. Idempotent: a second run changes only what changed,
# and a run cut short (Ctrl-C, a failure) is finished by running it again.
set -eEuo pipefail
# shellcheck source=scripts/lib/local.sh
source "$(dirname "$0")/lib/local.sh"

step "Checking prerequisites"
need_docker_and_kind
need_node
command -v curl >/dev/null || problems+=("curl is not installed (it runs the final check)")
need_pulumi
check_tools
check_state_folder
info "docker, docker buildx, kind, node $node_version, curl, pulumi: ok"

check_passphrase "$repo_root" "$addons_dir"
mkdir -p "$state_dir"

step "Local registry $registry_host (container $registry_container)"
start_registry() {
  run "$@" >/dev/null && return
  port_taken && stop "port $registry_port on 127.0.0.1 is taken by another program, so the registry container $registry_container cannot start" \
    "free the port (lsof -i :$registry_port shows who holds it), then $again"
  stop "docker could not start the registry container $registry_container; its error is above" "fix that, then $again"
}
probe_container "$registry_container"
case "$found" in
  running) info "already running" ;;
  stopped)
    info "starting the stopped container"
    start_registry docker start "$registry_container" ;;
  absent)
    start_registry docker run -d --restart=always -p "127.0.0.1:$registry_port:5000" --network bridge \
      --name "$registry_container" registry:2
    info "started" ;;
esac

# image_urn= the URN of the stack's Image when the image the stack last
# deployed is no longer in the registry (a registry container created anew is
# empty), so that `up` builds and pushes it again; empty otherwise. The
# registry is asked itself, over plain HTTP: the provider's refresh cannot.
image_gone_from_registry() {
  image_urn=""
  probe_stack "$repo_root"
  [ "$found" = present ] || return 0
  local ref repository digest answer attempt
  # No output yet: the first `up` never got that far, and builds the image anyway.
  ref=$(pulumi --cwd "$repo_root" stack output imageRef --stack local 2>/dev/null) || return 0
  case $ref in "$registry_host/"*@sha256:*) ;; *) return 0 ;; esac # a prebuilt image from elsewhere
  repository=${ref#"$registry_host/"}
  repository=${repository%@*}
  repository=${repository%:*}
  digest=${ref##*@}
  # The registry container may have only just started. Without the media types
  # in Accept, registry:2 answers 404 for an OCI index or manifest it holds.
  for attempt in 1 2 3 4 5; do
    answer=$(curl -sS -I -o /dev/null -w '%{http_code}' --max-time 5 \
      -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
      "http://127.0.0.1:$registry_port/v2/$repository/manifests/$digest" 2>/dev/null) && break
    [ "$attempt" = 5 ] || sleep 1
  done
  case $answer in
    200) return 0 ;;
    404) ;;
    *) stop "the registry $registry_host does not answer whether it holds the deployed image $ref (HTTP answer: ${answer:-none})" \
      "docker logs $registry_container (to see why), then $again" ;;
  esac
  image_urn=$(pulumi --cwd "$repo_root" stack export --stack local |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const image = (JSON.parse(s).deployment?.resources ?? []).find((r) => r.type === "docker-build:index:Image");
      if (image) console.log(image.urn);
    });') || pulumi_failed "reading the state of the stack local"
  [ -n "$image_urn" ] || stop "the registry no longer holds the deployed image $ref, and the stack builds no image (goapi:image.ref names a prebuilt one)" \
    "push that image to $registry_host again, then $again"
  info "the registry no longer holds the deployed image $ref (a registry container created anew?): building it again"
}

image_gone_from_registry

step "BuildKit builder '$builder' on the host network, so builds reach $registry_host"
probe_builder
if [ "$found" = present ]; then
  info "already exists"
else
  docker buildx create --name "$builder" --driver docker-container --driver-opt network=host >/dev/null
  info "created"
fi

step "kind cluster '$cluster' (context $context)"
delete_unfinished_cluster() {
  info "removing the cluster this run had started to create"
  kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
}
probe_cluster
if [ "$found" = present ]; then
  kind get kubeconfig --name "$cluster" >/dev/null 2>&1 ||
    stop "the kind cluster $cluster exists but its control plane does not answer (was its creation cut short?)" \
      "kind delete cluster --name $cluster && $again"
  info "already exists"
else
  info "creating it; pulling the node image can take a few minutes the first time"
  on_interrupt_cleanup=delete_unfinished_cluster
  if ! run kind create cluster --config "$kind_config"; then
    port_taken && stop "port $http_port on 127.0.0.1 is taken by another program, so the kind cluster cannot map it for the Ingress" \
      "free the port (sudo lsof -i :$http_port shows who holds it), then $again"
    stop "kind could not create the cluster $cluster; its error is above" "fix that, then $again"
  fi
  on_interrupt_cleanup=""
fi

step "Wiring the registry into the cluster"
nodes=$(kind get nodes --name "$cluster")
for node in $nodes; do
  dir="/etc/containerd/certs.d/$registry_host"
  docker exec "$node" mkdir -p "$dir"
  printf '[host."http://%s:5000"]\n' "$registry_container" | docker exec -i "$node" cp /dev/stdin "$dir/hosts.toml"
done
if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$registry_container")" = "null" ]; then
  docker network connect kind "$registry_container"
  info "registry connected to the kind network"
else
  info "registry already on the kind network"
fi

# `pulumi up` of the project in $1 against the copy of its stack file, with a
# refresh first: a cluster deleted and re-created by hand, or objects deleted
# with kubectl, are found missing and created again. (Not an image missing
# from a registry container created anew: the docker-build provider asks this
# plain-HTTP registry over HTTPS and keeps what it recorded; docs/local.md.
# image_gone_from_registry above finds that case.) Further arguments go to `up`.
deploy() { # dir what [up argument...]
  local dir=$1 what=$2
  shift 2
  stack_config "$dir"
  run_quiet pulumi --cwd "$stack_dir" stack select --create local || pulumi_failed "creating the stack local of $what"
  if ! run pulumi --cwd "$dir" up --yes --skip-preview --refresh --stack local --config-file "$stack_file" "$@"; then
    explain_rollout "$dir"
    pulumi_failed "pulumi up of $what"
  fi
}

step "Cluster add-ons: Traefik, metrics-server, registry hint, Prometheus Operator stack, OpenTelemetry Collector, Jaeger (local/addons)"
deploy "$addons_dir" "the add-ons (local/addons)"

step "Building, pushing and deploying the API (stack local)"
if [ -n "$image_urn" ]; then
  deploy "$repo_root" "the API (stack local)" --replace "$image_urn"
else
  deploy "$repo_root" "the API (stack local)"
fi

grafana_url=$(pulumi --cwd "$addons_dir" stack output grafanaUrl --stack local)
traces_url=$(pulumi --cwd "$addons_dir" stack output tracesUrl --stack local)
url=$(pulumi --cwd "$repo_root" stack output url --stack local)
token=$(pulumi --cwd "$repo_root" stack output token --show-secrets --stack local)
namespace=$(pulumi --cwd "$repo_root" stack output namespace --stack local)
deployment=$(pulumi --cwd "$repo_root" stack output deploymentName --stack local)

step "Checking $url through the Ingress"
api() { curl -fsS -o /dev/null --max-time 5 --resolve "$ingress_host:$http_port:127.0.0.1" "$@"; }
# The token goes to curl on stdin, as a curl config line: never in an argument,
# where every local user could read it in the process list.
with_token() {
  local t=${token//\\/\\\\}
  t=${t//\"/\\\"}
  printf 'header = "Authorization: Bearer %s"\n' "$t" | api --config - "$@"
}
# Each smoke check is a function smoke_<name>; add one by writing it and
# listing it in smoke_checks. They run in order, after /readyz answers.
smoke_healthz() { api "${url}healthz"; }
smoke_list_items() { api "${url}v1/items"; }
smoke_authenticated_write() {
  with_token -X POST -H 'Content-Type: application/json' \
    -d '{"name":"smoke test","description":"created by local-up"}' "${url}v1/items"
}
# kubectl inside the kind node, as its admin: the user may have no kubectl of their own.
in_cluster() { docker exec "$cluster-control-plane" kubectl --kubeconfig=/etc/kubernetes/admin.conf --namespace="$namespace" "$@"; }
# The items live in PostgreSQL, not in the API's pods: an item written before
# the database's pod and the API's pods are replaced is read back after.
smoke_write_survives_restart() {
  local location
  location=$(with_token -D - -X POST -H 'Content-Type: application/json' \
    -d '{"name":"survives a restart","description":"created by local-up"}' "${url}v1/items" |
    sed -n 's/^[Ll]ocation: *\(\/[^[:space:]]*\).*$/\1/p') || return 1
  [ -n "$location" ] || { echo "local:up: the POST answered without a Location header" >&2; return 1; }
  info "created ${location#/}; deleting the database's pod and the API's pods"
  # Deleted rather than `rollout restart`, which would change the Deployment behind Pulumi's back.
  in_cluster delete pod --selector=app.kubernetes.io/component=database --wait=true >/dev/null || return 1
  in_cluster delete pod --selector=app.kubernetes.io/component=api --wait=true >/dev/null || return 1
  in_cluster rollout status "deployment/$deployment" --timeout=180s >/dev/null || return 1
  # The new API pods are ready only once the new database pod answers (/readyz asks it).
  wait_ready || return 1
  api "${url%/}$location"
}
# Grafana and the trace viewer answer through the same Ingress controller.
through_ingress() { # url
  local host=${1#http://}
  host=${host%%/*}
  curl -fsS -o /dev/null --max-time 5 --resolve "$host:$http_port:127.0.0.1" "$1"
}
smoke_grafana() { through_ingress "${grafana_url}api/health"; }
smoke_traces() { through_ingress "$traces_url"; }
smoke_checks=(healthz list_items authenticated_write grafana traces write_survives_restart)

wait_ready() {
  local attempt
  for attempt in $(seq 1 30); do
    if api "${url}readyz" 2>/dev/null; then return 0; fi
    [ "$attempt" -lt 30 ] || return 1
    info "waiting for ${url}readyz to answer through the Ingress (attempt $attempt/30)"
    sleep 2
  done
}
wait_ready || stop "the API did not answer ${url}readyz through the Ingress within a minute" \
  "see \"The Ingress never becomes ready\" in docs/local.md, then $again"
info "GET /readyz ok"
for check in "${smoke_checks[@]}"; do
  "smoke_$check" || stop "the smoke check $check failed against $url; curl's error is above" "fix that, then $again"
  info "$check ok"
done

cat <<SUMMARY

The API is up at $url
  token:        npx pulumi stack output token --show-secrets --stack local   (with the env below)
  state:        PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE=<default: local-only-passphrase>
  kubectl:      kubectl --context $context -n goapi get pods
  Grafana:      $grafana_url   dashboard "goapi (goapi)"; user admin, password:
                npx pulumi --cwd local/addons stack output grafanaAdminPassword --show-secrets --stack local   (with the env below)
  traces:       $traces_url   (Jaeger: service goapi; Grafana's latency panel links its exemplars there)
  after a code change: npm run local:dev  (watches and updates on each save), or npm run local:up again
  tear down:    npm run local:down
SUMMARY
