#!/usr/bin/env bash
# Brings up the local stack: kind cluster + local registry + add-ons, then
# builds this checkout's API, pushes it and deploys it with Pulumi, then checks
# it through the Ingress. Idempotent: a second run changes only what changed.
set -euo pipefail
# shellcheck source=scripts/lib/local.sh
source "$(dirname "$0")/lib/local.sh"

step "Checking prerequisites"
missing=()
command -v docker >/dev/null || missing+=("docker is not installed (https://docs.docker.com/get-docker/)")
if command -v docker >/dev/null && ! docker info >/dev/null 2>&1; then
  missing+=("the Docker daemon is not reachable: start Docker Desktop or the docker service")
fi
if command -v docker >/dev/null && ! docker buildx version >/dev/null 2>&1; then
  missing+=("docker buildx is not installed (https://docs.docker.com/build/install-buildx/)")
fi
command -v kind >/dev/null || missing+=("kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)")
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 22 ] || missing+=("Node.js 22 or newer is required (found $(node --version 2>/dev/null || echo none))")
command -v curl >/dev/null || missing+=("curl is not installed (used for the final check)")
if ((${#missing[@]})); then
  for m in "${missing[@]}"; do printf 'missing: %s\n' "$m" >&2; done
  exit 1
fi
info "docker, kind, node $(node --version), curl: ok"

if [ ! -x "${GOAPI_PULUMI:-$repo_root/node_modules/.bin/pulumi}" ]; then
  step "Installing npm dependencies (npm ci)"
  (cd "$repo_root" && npm ci)
fi

step "Local registry $registry_host (container $registry_container)"
case "$(docker inspect -f '{{.State.Running}}' "$registry_container" 2>/dev/null || echo absent)" in
  true) info "already running" ;;
  false) info "starting the stopped container"; docker start "$registry_container" >/dev/null ;;
  *) docker run -d --restart=always -p "127.0.0.1:$registry_port:5000" --network bridge --name "$registry_container" registry:2 >/dev/null
     info "started" ;;
esac

step "BuildKit builder '$builder' on the host network, so builds reach $registry_host"
if docker buildx inspect "$builder" >/dev/null 2>&1; then
  info "already exists"
else
  docker buildx create --name "$builder" --driver docker-container --driver-opt network=host >/dev/null
  info "created"
fi

step "kind cluster '$cluster' (context $context)"
if cluster_exists; then
  info "already exists"
else
  info "creating it; pulling the node image can take a few minutes the first time"
  kind create cluster --config "$kind_config"
fi

step "Wiring the registry into the cluster"
for node in $(kind get nodes --name "$cluster"); do
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

step "Cluster add-ons: Traefik, metrics-server, registry hint (local/addons)"
(
  cd "$addons_dir"
  pulumi stack select --create local
  pulumi up --yes --skip-preview --stack local
)

step "Building, pushing and deploying the API (stack local)"
(
  cd "$repo_root"
  pulumi stack select --create local
  pulumi up --yes --skip-preview --stack local
)

url=$(cd "$repo_root" && pulumi stack output url --stack local)
token=$(cd "$repo_root" && pulumi stack output token --show-secrets --stack local)

step "Checking $url through the Ingress"
check() {
  curl -fsS -o /dev/null --max-time 5 --resolve "$ingress_host:$http_port:127.0.0.1" "$@"
}
for attempt in $(seq 1 30); do
  if check "${url}readyz"; then break; fi
  [ "$attempt" -lt 30 ] || die "the API did not answer ${url}readyz through the Ingress; see README troubleshooting"
  info "waiting for ${url}readyz to answer through the Ingress (attempt $attempt/30)"
  sleep 2
done
check "${url}healthz" && info "GET /healthz ok"
check "${url}v1/items" && info "GET /v1/items ok"
check -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"name":"smoke test","description":"created by local-up"}' "${url}v1/items" && info "authenticated POST /v1/items ok"

cat <<SUMMARY

The API is up at $url
  token:        npx pulumi stack output token --show-secrets   (with the env below)
  state:        PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE=<default: local-only-passphrase>
  kubectl:      kubectl --context $context -n goapi get pods
  after a code change: npm run local:up   (rebuilds the image; rolls only what changed)
  tear down:    npm run local:down
SUMMARY
