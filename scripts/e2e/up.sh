#!/usr/bin/env bash
# Starts a cluster of real nodes in the folder $1, on top of the loopback
# plane (scripts/cluster/up.sh): a pod bridge, a registry on 127.0.0.1:5000,
# BuildKit, the images (images.sh), two kubelets each with a containerd of its
# own, kube-proxy, CoreDNS as pods, and kube-router's NetworkPolicy firewall.
# Everything it changes on the machine is recorded in the folder, and down.sh
# with the same folder undoes it. Needs root. See docs/testing.md.
#
# The network rule: pods reach only the bridge. No default route in pods, no
# masquerading towards the uplink, and anything forwarded between the bridge
# and another interface is dropped (in the mangle table, before kube-proxy's
# and kube-router's ACCEPT rules in the filter table can see it).
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
state=${1:?usage: up.sh STATE}
[ "$(id -u)" = 0 ] || die "needs root: it makes a bridge and iptables rules and runs containerd and kubelets"
require containerd containerd-shim-runc-v2 runc ctr iptables ipset ip sysctl docker-registry openssl node curl
for plugin in bridge host-local loopback; do
  [ -x "/usr/lib/cni/$plugin" ] || die "/usr/lib/cni/$plugin is missing: apt-get install containernetworking-plugins"
done
for b in kubelet kube-proxy; do
  [ -x "$bin_dir/$b" ] || die "$bin_dir/$b is missing: run scripts/cluster/build.sh"
done
for b in buildkitd buildctl kube-router pause coredns; do
  [ -x "$e2e_bin/$b" ] || die "$e2e_bin/$b is missing: run scripts/e2e/build.sh"
done
if ip link show "$bridge" >/dev/null 2>&1; then
  die "the bridge $bridge exists: another run is up, or one was killed (scripts/e2e/down.sh $(cat "$e2e_tools/active" 2>/dev/null || echo STATE))"
fi
mkdir -p "$state/logs" "$state/pids" "$e2e_tools"
state=$(cd "$state" && pwd)
printf '%s\n' "$state" >"$e2e_tools/active"
# A start that fails half-way undoes what it did (after die printed why).
trap '[ "$?" = 0 ] || "$repo_root/scripts/e2e/down.sh" "$state"' EXIT
started=$SECONDS
step() { say "[$((SECONDS - started))s] $*"; }

start() { # name command...
  local name=$1
  shift
  "$@" </dev/null >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/pids/$name.pid"
}
alive() { kill -0 "$(cat "$state/pids/$1.pid")" 2>/dev/null; }
wait_for() { # what seconds process command...
  local what=$1 limit=$2 deadline=$((SECONDS + $2)) process=$3 out
  shift 3
  until out=$("$@" 2>&1); do
    if [ -n "$process" ] && ! alive "$process"; then
      tail -n 20 "$state/logs/$process.log" >&2
      die "$process exited while waiting for $what (log: $state/logs/$process.log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { printf '%s\n' "$out" | tail -n 5 >&2; die "$what: not within ${limit}s"; }
    sleep 0.5
  done
}

# --- the machine: sysctls (recorded for down.sh), the bridge, the rules
step "network: bridge $bridge ($pod_cidr), rules, sysctls"
for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.ipv4.conf.all.route_localnet \
  vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
  printf '%s=%s\n' "$key" "$(sysctl -n "$key")"
done >"$state/sysctls"
ip link add "$bridge" type bridge
ip addr add "$node_ip/24" dev "$bridge"
ip link set "$bridge" up
# The Service range goes to the bridge, never out through the default route.
ip route add "$service_cidr" dev "$bridge" src "$node_ip"
rule() { iptables "$@" -m comment --comment goapi-e2e; }
rule -t mangle -I FORWARD -i "$bridge" ! -o "$bridge" -j DROP
rule -t mangle -I FORWARD -o "$bridge" ! -i "$bridge" -j DROP
while read -r uplink; do
  rule -I FORWARD -i "$bridge" -o "$uplink" -j DROP
  rule -I FORWARD -i "$uplink" -o "$bridge" -j DROP
done < <(ip -o route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' | sort -u)
sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 "net.ipv4.conf.$bridge.route_localnet=1"

# --- registry and BuildKit
step "registry on $registry"
mkdir -p "$state/registry"
cat >"$state/registry.yml" <<YAML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $state/registry }, delete: { enabled: true } }
http: { addr: $registry }
YAML
start registry docker-registry serve "$state/registry.yml"
wait_for "the registry" 30 registry curl -fsS "http://$registry/v2/"

step "buildkitd"
# Its cache (the Go build cache of app/Dockerfile included) outlives the run.
mkdir -p "$e2e_tools/buildkit"
cat >"$state/buildkitd.toml" <<TOML
root = "$e2e_tools/buildkit"
[grpc]
  address = ["unix://$state/buildkitd.sock"]
[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  gc = true
  gckeepstorage = "10GB"
  defaultCgroupParent = "goapi-e2e-buildkit"
[worker.containerd]
  enabled = false
[registry."$registry"]
  http = true
TOML
# The build runs offline (app-images.sh gives it a module proxy on disk); the
# host network only spares a network namespace per step.
start buildkitd "$e2e_bin/buildkitd" --config "$state/buildkitd.toml" --oci-worker-net host
wait_for "buildkitd" 60 buildkitd "$e2e_bin/buildctl" --addr "unix://$state/buildkitd.sock" debug workers

# --- the control plane
step "control plane"
"$repo_root/scripts/cluster/up.sh" "$state/plane" >"$state/logs/plane-up.log" 2>&1 \
  || { tail -n 20 "$state/logs/plane-up.log" >&2; die "the control plane did not start"; }
kubeconfig="$state/plane/kubeconfig"
pki="$state/plane/pki"
kubectl() { "$bin_dir/kubectl" --kubeconfig "$kubeconfig" "$@"; }
api_port=$(sed -n 's|.*server: https://127.0.0.1:\([0-9]*\).*|\1|p' "$kubeconfig")
# kwok's fake node would take pods that must run for real.
kubectl delete node kwok-node-0 --wait=false >/dev/null
# Pods (CoreDNS) reach the API server at the bridge's address: DNAT to its
# loopback address, as kube-proxy does for localhost NodePorts.
rule -t nat -I PREROUTING -i "$bridge" -d "$node_ip" -p tcp --dport 6443 -j DNAT --to-destination "127.0.0.1:$api_port"

# Client certificates signed by the plane's CA: the nodes, kube-proxy, kube-router.
certificate() { # name subject [serving-ip]
  local ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth${3:+,serverAuth
subjectAltName=IP:$3}"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/pki/$1.key" 2>/dev/null
  openssl req -new -key "$state/pki/$1.key" -subj "$2" -out "$state/pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$state/pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -extfile <(printf '%s\n' "$ext") -out "$state/pki/$1.crt" 2>/dev/null
  rm -f "$state/pki/$1.csr"
  cat >"$state/$1.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $context_name
    cluster: { server: "https://127.0.0.1:$api_port", certificate-authority: $pki/ca.crt }
users:
  - name: $1
    user: { client-certificate: $state/pki/$1.crt, client-key: $state/pki/$1.key }
contexts:
  - name: $context_name
    context: { cluster: $context_name, user: $1 }
current-context: $context_name
KUBECONFIG
}
mkdir -p "$state/pki"
for n in "${node_names[@]}"; do certificate "$n" "/O=system:nodes/CN=system:node:$n" "$node_ip"; done
certificate kube-proxy "/CN=system:kube-proxy"
certificate kube-router "/CN=goapi-e2e-kube-router"

# --- images, pushed to the registry (the sandbox image first among them)
step "images (BuildKit; app/Dockerfile with its bases substituted)"
"$repo_root/scripts/e2e/images.sh" "$state"
# shellcheck source=/dev/null
. "$state/images.env"
: "${pause_image:?}" "${coredns_image:?}"

# --- two nodes: a containerd and a kubelet each, on the one bridge
mkdir -p "$state/certs.d/$registry"
printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$registry" "$registry" \
  >"$state/certs.d/$registry/hosts.toml"
cgroup_controllers=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d ! -name unified -printf '%f\n')
for i in "${!node_names[@]}"; do
  n=${node_names[i]}
  dir="$state/$n"
  mkdir -p "$dir/cni" "$dir/pki"
  step "node $n: containerd, kubelet"
  cat >"$dir/cni/10-goapi-e2e.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "goapi-e2e",
  "plugins": [
    {
      "type": "bridge", "bridge": "$bridge",
      "isGateway": true, "isDefaultGateway": false, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$dir/ipam",
        "ranges": [[{ "subnet": "$pod_cidr", "rangeStart": "${node_ranges[i]%-*}", "rangeEnd": "${node_ranges[i]#*-}", "gateway": "$node_ip" }]],
        "routes": [{ "dst": "$service_cidr" }]
      }
    }
  ]
}
JSON
  cat >"$dir/containerd.toml" <<TOML
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$state/certs.d"
TOML
  start "containerd-$n" containerd --config "$dir/containerd.toml"
  # The kubelet wants its cgroup root to exist; cpuset needs its CPUs and memory nodes copied.
  for c in $cgroup_controllers; do
    mkdir -p "/sys/fs/cgroup/$c/$n"
    if [ "$c" = cpuset ]; then
      cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$n/cpuset.cpus"
      cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$n/cpuset.mems"
    fi
  done
  cat >"$dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: $((10250 + i))
readOnlyPort: 0
healthzPort: 0
tlsCertFile: $state/pki/$n.crt
tlsPrivateKeyFile: $state/pki/$n.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
containerRuntimeEndpoint: unix://$dir/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$n
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: false
clusterDNS: [$dns_service_ip]
clusterDomain: cluster.local
resolvConf: ""
podLogsDir: $dir/pod-logs
volumePluginDir: $dir/volume-plugins
maxPods: 40
serializeImagePulls: false
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
YAML
  wait_for "containerd of $n" 30 "containerd-$n" ctr --address "$dir/containerd.sock" version
  start "kubelet-$n" "$bin_dir/kubelet" --config "$dir/kubelet.yaml" --kubeconfig "$state/$n.kubeconfig" \
    --root-dir "$dir/kubelet" --cert-dir "$dir/pki" --hostname-override "$n" --node-ip "$node_ip"
done
for n in "${node_names[@]}"; do
  wait_for "node $n Ready" 120 "kubelet-$n" kubectl wait "node/$n" --for=condition=Ready --timeout=5s
done

# --- kube-proxy (one: both nodes share this host's network namespace)
step "kube-proxy"
cat >"$state/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $state/kube-proxy.kubeconfig }
mode: iptables
clusterCIDR: $pod_cidr
hostnameOverride: ${node_names[0]}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$node_ip/32]
iptables: { localhostNodePorts: false }
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
YAML
start kube-proxy "$bin_dir/kube-proxy" --config "$state/kube-proxy.yaml"
wait_for "kube-proxy healthy" 60 kube-proxy curl -fsS http://127.0.0.1:10256/healthz

# --- cluster DNS: CoreDNS pods in kube-system labelled k8s-app=kube-dns, as
# kind and kubeadm run them (NetworkPolicies select them so), reaching the API
# server through the DNAT above. Cluster names only: no forwarding.
step "CoreDNS"
"$repo_root/scripts/e2e/addons.sh" "$state" "$coredns_image" >"$state/logs/addons.log" 2>&1 \
  || { tail -n 20 "$state/logs/addons.log" >&2; die "the cluster add-ons were refused"; }
wait_for "CoreDNS ready" 120 "" kubectl -n kube-system rollout status deployment/coredns --timeout=5s

# --- the NetworkPolicy enforcer: kube-router's firewall alone, for the pods
# of both nodes (they share the node address, by which kube-router knows the
# pods it guards).
step "kube-router (NetworkPolicy firewall)"
start kube-router "$e2e_bin/kube-router" --kubeconfig "$state/kube-router.kubeconfig" \
  --hostname-override "${node_names[0]}" --run-firewall=true --run-router=false --run-service-proxy=false \
  --enable-cni=false --service-cluster-ip-range "$service_cidr" --health-port 0 --metrics-port 0
wait_for "kube-router's firewall chains" 60 kube-router iptables -S KUBE-ROUTER-FORWARD

cat >"$state/env" <<ENV
kubeconfig=$kubeconfig
kubectl=$bin_dir/kubectl
loadgen=$e2e_bin/loadgen
registry=$registry
ENV
cat "$state/images.env" >>"$state/env"
step "up: ${node_names[*]} Ready; kubeconfig $kubeconfig"
