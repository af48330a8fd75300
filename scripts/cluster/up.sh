#!/usr/bin/env bash
# Starts the loopback control plane built by build.sh, with its state
# (certificates, kubeconfig, etcd data, logs, PIDs) in the folder $1
# (default .tools/cluster/up, for `npm run cluster:up`):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and kwok
# with one fake node that runs pods. Everything listens on 127.0.0.1 on free
# ports. Stop it with down.sh and the same folder.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
require openssl node

state=${1:-$manual_state}
for b in "${components[@]}" kubectl; do
  [ -x "$bin_dir/$b" ] || die "$bin_dir/$b is missing: run scripts/cluster/build.sh"
done
mkdir -p "$state"
state=$(cd "$state" && pwd)
pki="$state/pki" logs="$state/logs" pids="$state/pids"
kubeconfig="$state/kubeconfig"

report() {
  say "kubeconfig: $kubeconfig"
  say "context:    $context_name"
  say "kubectl:    $bin_dir/kubectl --kubeconfig $kubeconfig get nodes"
  say "a stack on it: pulumi config set goapi:kubeconfig $kubeconfig && pulumi config set goapi:kubeContext $context_name"
  if [ "$state" = "$manual_state" ]; then
    say "stop it:    npm run cluster:down"
  else
    say "stop it:    scripts/cluster/down.sh $state"
  fi
}

# A plane already recorded here: reuse it if all of it runs, else start over.
if [ -d "$pids" ]; then
  running=0
  for c in "${components[@]}"; do
    if [ -f "$pids/$c.pid" ] && is_ours "$(cat "$pids/$c.pid")"; then running=$((running + 1)); fi
  done
  if [ "$running" = "${#components[@]}" ]; then
    say "already running in $state"
    report
    exit 0
  fi
  say "a plane in $state is partly gone; stopping what is left and starting over"
  "$repo_root/scripts/cluster/down.sh" "$state"
  mkdir -p "$state"
fi
mkdir -p "$pki" "$logs" "$pids"
# A start that fails half-way stops what it started (after die printed the log).
trap '[ "$?" = 0 ] || "$repo_root/scripts/cluster/down.sh" "$state"' EXIT
started=$SECONDS

# Three free loopback ports (etcd client and peer, API server), held open
# together so they differ. The components that only serve health checks are
# started without a port.
read -r etcd_port peer_port api_port < <(node -e '
  const net = require("node:net");
  const servers = [0, 1, 2].map(() => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((r) => s.on("listening", r)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')
server="https://127.0.0.1:$api_port"

# --- certificates: a CA, the API server's serving certificate, a client
# certificate per component, the service account signing key, and the
# aggregation layer's front-proxy CA and client certificate. P-256 keys are
# quick to make.
(
  cd "$pki"
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
  sign() { # name subject extensions
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  }
  key ca
  openssl req -x509 -new -key ca.key -subj "/CN=goapi-loopback-ca" -days 2 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt 2>/dev/null
  key apiserver
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  key admin && sign admin "/O=system:masters/CN=goapi-loopback-admin" "$client_ext"
  key controller-manager && sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
  key scheduler && sign scheduler "/CN=system:kube-scheduler" "$client_ext"
  # The API server's client certificate towards kubelets (logs, exec) on real nodes.
  key kubelet-client && sign kubelet-client "/O=system:masters/CN=goapi-loopback-kubelet-client" "$client_ext"
  key service-account
  openssl pkey -in service-account.key -pubout -out service-account.pub 2>/dev/null
  # The aggregation layer: the API server proxies a request for an aggregated
  # API (KEDA's external metrics) with the caller's name in headers, and proves
  # it is the proxy with this client certificate. Its CA is a second one, as
  # kubeadm makes it: the aggregated servers trust the headers of any
  # certificate it signs, which no other client of the plane may hold.
  key front-proxy-ca
  openssl req -x509 -new -key front-proxy-ca.key -subj "/CN=goapi-loopback-front-proxy-ca" -days 2 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out front-proxy-ca.crt 2>/dev/null
  key front-proxy-client
  openssl req -new -key front-proxy-client.key -subj "/CN=front-proxy-client" -out front-proxy-client.csr 2>/dev/null
  printf '%s\n' "$client_ext" >front-proxy-client.ext
  openssl x509 -req -in front-proxy-client.csr -CA front-proxy-ca.crt -CAkey front-proxy-ca.key -CAcreateserial -days 2 \
    -extfile front-proxy-client.ext -out front-proxy-client.crt 2>/dev/null
  rm -f ./*.csr ./*.ext ./*.srl
) || die "openssl could not make the certificates"

write_kubeconfig() { # file user
  cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $context_name
    cluster:
      server: $server
      certificate-authority: $pki/ca.crt
users:
  - name: $2
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: $context_name
    context: { cluster: $context_name, user: $2 }
current-context: $context_name
KUBECONFIG
}
write_kubeconfig "$kubeconfig" admin
write_kubeconfig "$state/controller-manager.kubeconfig" controller-manager
write_kubeconfig "$state/scheduler.kubeconfig" scheduler

kubectl() { "$bin_dir/kubectl" --kubeconfig "$kubeconfig" "$@"; }

start() { # component args...
  local name=$1
  shift
  "$bin_dir/$name" "$@" </dev/null >"$logs/$name.log" 2>&1 &
  echo $! >"$pids/$name.pid"
}

# Waits for a command to succeed, failing early with the log of a component
# that died, or at the deadline with the command's last output.
wait_for() { # what seconds component command...
  local what=$1 seconds=$2 component=$3 deadline out
  shift 3
  deadline=$((SECONDS + seconds))
  until out=$("$@" 2>&1); do
    if ! kill -0 "$(cat "$pids/$component.pid")" 2>/dev/null; then
      tail -n 20 "$logs/$component.log" >&2
      die "$component exited while waiting for $what (log: $logs/$component.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s\n' "$out" | tail -n 5 >&2
      die "$what not within ${seconds}s (logs: $logs)"
    fi
    sleep 0.2
  done
}

# Test data only: etcd skips fsync, which is most of its cost on a busy disk.
start etcd --name=goapi-loopback --data-dir="$state/etcd" --unsafe-no-fsync \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
  --initial-cluster="goapi-loopback=http://127.0.0.1:$peer_port" --log-level=warn

# The endpoint reconciler would publish the advertise address for the
# `kubernetes` Service; there is no pod network to reach it on loopback.
# The requestheader and proxy-client flags make it the aggregation layer's
# proxy (above); it reaches an aggregated server at its Service's endpoints,
# not its ClusterIP: this plane alone runs no kube-proxy.
start kube-apiserver --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --etcd-servers="http://127.0.0.1:$etcd_port" --endpoint-reconciler-type=none \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/service-account.pub" --service-account-signing-key-file="$pki/service-account.key" \
  --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=Node,RBAC --profiling=false \
  --kubelet-client-certificate="$pki/kubelet-client.crt" --kubelet-client-key="$pki/kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
  --enable-aggregator-routing=true
wait_for "the API server" 90 kube-apiserver kubectl get --raw /readyz

# The HPA controller checks its targets every 2 s rather than 15 s.
start kube-controller-manager --kubeconfig="$state/controller-manager.kubeconfig" --secure-port=0 \
  --leader-elect=false --controllers='*' --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/service-account.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --service-cluster-ip-range=10.96.0.0/16 --horizontal-pod-autoscaler-sync-period=2s --profiling=false
start kube-scheduler --kubeconfig="$state/scheduler.kubeconfig" --secure-port=0 --leader-elect=false --profiling=false
start kwok --kubeconfig="$kubeconfig" --config="$stages_file" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --manage-nodes-with-label-selector= --cidr=10.244.0.1/24 --node-ip=10.244.0.1 --node-lease-duration-seconds=40

# One fake node. It reports ephemeral-storage, which our pods request.
kubectl apply -f - >/dev/null <<'NODE'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations: { node.alpha.kubernetes.io/ttl: "0", kwok.x-k8s.io/node: fake }
  labels: { kubernetes.io/arch: amd64, kubernetes.io/hostname: kwok-node-0, kubernetes.io/os: linux, type: kwok }
status:
  allocatable: { cpu: "32", memory: 256Gi, ephemeral-storage: 100Gi, pods: "110" }
  capacity: { cpu: "32", memory: 256Gi, ephemeral-storage: 100Gi, pods: "110" }
NODE
wait_for "the fake node to be Ready" 60 kwok kubectl wait node/kwok-node-0 --for=condition=Ready --timeout=5s
# Pods need their namespace's default ServiceAccount, made by the controller
# manager; a namespace created before its controllers start would wait for it.
wait_for "the controller manager" 60 kube-controller-manager kubectl get serviceaccount default --namespace default

# The Prometheus Operator's CRDs, as on a cluster that runs it: every stack
# declares a ServiceMonitor and a PrometheusRule (components/monitoring.ts).
established=()
for crd in "${crds[@]}"; do
  kubectl apply --server-side -f "$crds_dir/monitoring.coreos.com_$crd.yaml" >/dev/null
  established+=("crd/$crd.monitoring.coreos.com")
done
wait_for "the Prometheus Operator's CRDs" 30 kube-apiserver kubectl wait --for=condition=Established --timeout=5s "${established[@]}"

# Flagger's, KEDA's and the Gateway API's CRDs, as on a cluster that runs the
# delivery controllers: a canary stack declares a Canary, MetricTemplates and
# an HTTPRoute, a request-rate stack a ScaledObject (docs/delivery.md).
delivery_established=()
for entry in "${delivery_crds[@]}"; do
  read -r folder _ _ files <<<"$entry"
  applied=$(kubectl apply --server-side -f "$crds_root/$folder/$files" --output=name) || die "the API server refused $crds_root/$folder/$files"
  while read -r crd; do
    if [ -n "$crd" ]; then delivery_established+=("$crd"); fi
  done <<<"$applied"
done
wait_for "the delivery controllers' CRDs" 30 kube-apiserver kubectl wait --for=condition=Established --timeout=5s "${delivery_established[@]}"

for c in "${components[@]}"; do
  if ! is_ours "$(cat "$pids/$c.pid")"; then
    tail -n 20 "$logs/$c.log" >&2
    die "$c exited during start-up (log: $logs/$c.log)"
  fi
done

say "up in $((SECONDS - started))s: API server $server"
report
