// The NetworkPolicy egress rules of the pods that talk to the database: the
// cluster DNS, to resolve the database's name, and the database's port; and
// of the API's pods when they send traces: the collector's port.
import type * as k8s from "@pulumi/kubernetes";

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/**
 * The cluster DNS as kubeadm, kind and most distributions run it: pods
 * labelled k8s-app=kube-dns in kube-system, on UDP and TCP 53.
 */
export const dnsEgress: EgressRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};

/** Where the database listens, as the egress rule needs it. */
export type DatabaseEndpoint =
  | { kind: "inCluster"; port: number; selector: Record<string, string> }
  | { kind: "external"; port: number; cidrs: string[] };

/**
 * The database's port: on its pods in the namespace, or at the configured
 * CIDRs outside (any address when none is configured).
 */
export function databaseEgress(db: DatabaseEndpoint): EgressRule {
  const ports = [{ port: db.port, protocol: "TCP" }];
  if (db.kind === "inCluster") {
    return { to: [{ podSelector: { matchLabels: db.selector } }], ports };
  }
  return db.cidrs.length === 0 ? { ports } : { to: db.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports };
}

/** Where the tracing collector runs, as the egress rule needs it. */
export type CollectorEndpoint = { port: number } & ({ namespace: string; podLabels?: Record<string, string> } | { cidrs: string[] });

/** The collector's OTLP port: on its pods in its namespace, or at its CIDRs. */
export function collectorEgress(c: CollectorEndpoint): EgressRule {
  const ports = [{ port: c.port, protocol: "TCP" }];
  if ("cidrs" in c) {
    return { to: c.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports };
  }
  const namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": c.namespace } };
  return { to: [c.podLabels === undefined ? { namespaceSelector } : { namespaceSelector, podSelector: { matchLabels: c.podLabels } }], ports };
}
