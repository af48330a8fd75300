// Add-ons the local stack needs in the kind cluster, declared with Pulumi so
// `pulumi destroy` removes exactly what `up` added.
//
// Why Pulumi and not a script: the user has Docker, kind and Node, not kubectl
// or helm. The Kubernetes provider embeds Helm, so charts install with nothing
// else on the machine. The cluster itself and the registry container stay in
// scripts/local-up.sh: they must exist before any provider can connect.
//
// Traefik is the ingress controller: maintained (ingress-nginx is retired
// upstream), it serves networking.k8s.io/v1 Ingress, and it can publish a fixed
// address in Ingress status, which Pulumi waits for before an Ingress is ready.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { localNames } from "./names";

const config = new pulumi.Config();
const provider = new k8s.Provider("kind", { context: config.require("kubeContext") });

// kind's documented hint telling tools where the local registry is.
new k8s.core.v1.ConfigMap(
  "local-registry-hosting",
  {
    metadata: { name: "local-registry-hosting", namespace: "kube-public" },
    data: {
      "localRegistryHosting.v1": `host: "${localNames.registry}"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n`,
    },
  },
  { provider },
);

new k8s.helm.v3.Release(
  "traefik",
  {
    name: "traefik",
    chart: "traefik",
    version: "37.4.0",
    repositoryOpts: { repo: "https://traefik.github.io/charts" },
    namespace: localNames.ingressNamespace,
    createNamespace: true,
    values: {
      nodeSelector: { "ingress-ready": "true" },
      tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
      // kind maps localhost:80 to the node's port 80.
      ports: { web: { hostPort: 80 } },
      service: { type: "ClusterIP" },
      ingressClass: { enabled: true, isDefaultClass: false, name: localNames.ingressClass },
      providers: { kubernetesIngress: { publishedService: { enabled: false } } },
      additionalArguments: ["--providers.kubernetesingress.ingressendpoint.ip=127.0.0.1"],
    },
  },
  { provider },
);

new k8s.helm.v3.Release(
  "metrics-server",
  {
    name: "metrics-server",
    chart: "metrics-server",
    version: "3.13.0",
    repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" },
    namespace: "kube-system",
    // kind's kubelets serve self-signed certificates.
    values: { args: ["--kubelet-insecure-tls"] },
  },
  { provider },
);
