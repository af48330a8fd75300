// What explaining a rollout asks of the cluster: read-only, and only about the
// pods of the stack's workloads.
import type { CanaryObject } from "./canary-object";
import type { KubeEvent, Pod } from "./kube-objects";

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  /** The run that ended (kubectl logs --previous), for a container that restarted. */
  previous: boolean;
  tailLines: number;
}

export interface Cluster {
  pods(namespace: string, selector: string): Promise<Pod[]>;
  /** The events about one pod. */
  events(namespace: string, pod: string): Promise<KubeEvent[]>;
  logs(request: LogRequest): Promise<string>;
}

/** What following a Flagger release asks of the cluster: read-only, about the stack's Canaries and their targets. */
export interface ReleaseCluster {
  /** The Canary as kubectl prints it; undefined when it does not exist. */
  canary(namespace: string, name: string): Promise<CanaryObject | undefined>;
  /** The events Flagger wrote on the Canary. */
  canaryEvents(namespace: string, name: string): Promise<KubeEvent[]>;
  /** The target Deployment's spec.template as JSON text; undefined when it does not exist. */
  podTemplate(namespace: string, deployment: string): Promise<string | undefined>;
}
