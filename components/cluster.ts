// How the stack reaches Kubernetes: the kubeconfig context of its cluster, or,
// in render mode, no cluster at all: the provider then writes YAML files and
// refuses connection settings next to renderYamlToDirectory.
import type * as k8s from "@pulumi/kubernetes";

export interface ClusterTarget {
  kubeContext: string;
  kubeconfig?: string;
  renderYamlTo?: string;
}

export function clusterProviderArgs(t: ClusterTarget): k8s.ProviderArgs {
  if (t.renderYamlTo !== undefined) {
    return { renderYamlToDirectory: t.renderYamlTo };
  }
  return { context: t.kubeContext, kubeconfig: t.kubeconfig };
}
