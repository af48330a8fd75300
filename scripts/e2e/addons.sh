#!/usr/bin/env bash
# The cluster add-ons of the real nodes (up.sh): CoreDNS as pods in
# kube-system behind the kube-dns Service, and the permissions of
# kube-router's firewall.
# Usage: addons.sh STATE COREDNS_IMAGE
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
state=${1:?usage: addons.sh STATE COREDNS_IMAGE}
image=${2:?usage: addons.sh STATE COREDNS_IMAGE}
"$bin_dir/kubectl" --kubeconfig "$state/plane/kubeconfig" apply --server-side --field-manager=goapi-e2e -f - <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: goapi-e2e-coredns }
rules:
  - { apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: goapi-e2e-coredns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: goapi-e2e-coredns }
subjects: [{ kind: ServiceAccount, name: coredns, namespace: kube-system }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: goapi-e2e-kube-router }
rules:
  - { apiGroups: [""], resources: [namespaces, pods, nodes, services, endpoints], verbs: [get, list, watch] }
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: goapi-e2e-kube-router }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: goapi-e2e-kube-router }
subjects: [{ kind: User, name: goapi-e2e-kube-router, apiGroup: rbac.authorization.k8s.io }]
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: coredns, namespace: kube-system }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  # Names in the cluster only: no forward plugin, so nothing is asked outside.
  # Port 53 in the pod, as kind and kubeadm run it: a NetworkPolicy's port is
  # the pod's port (after the Service's DNAT), and the stacks allow DNS on 53.
  Corefile: |
    .:53 {
      errors
      health :8080
      ready :8181
      kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig /etc/coredns/kubeconfig
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
      }
      cache 5
      loadbalance
    }
  # The API server listens on loopback; pods reach it at the bridge's address
  # (up.sh's DNAT), with the pod's service account token.
  kubeconfig: |
    apiVersion: v1
    kind: Config
    clusters:
      - name: local
        cluster:
          server: https://$node_ip:6443
          tls-server-name: kubernetes
          certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    users:
      - name: coredns
        user: { tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token }
    contexts:
      - name: local
        context: { cluster: local, user: coredns }
    current-context: local
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: coredns
      # Port 53 without root or a capability: a safe sysctl of the pod's own
      # network namespace (kubeadm's CoreDNS adds NET_BIND_SERVICE instead,
      # which a non-root process only gets from file capabilities on the binary).
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile: { type: RuntimeDefault }
        sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: "53" }]
      containers:
        - name: coredns
          image: $image
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          readinessProbe: { httpGet: { path: /ready, port: 8181 }, periodSeconds: 2 }
          livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 10 }
          resources: { requests: { cpu: 50m, memory: 32Mi }, limits: { memory: 128Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: config, mountPath: /etc/coredns, readOnly: true }]
      volumes: [{ name: config, configMap: { name: coredns } }]
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: $dns_service_ip
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, targetPort: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, targetPort: 53, protocol: TCP }
YAML
