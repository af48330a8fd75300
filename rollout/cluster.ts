// What explaining a rollout asks of the cluster: read-only, and only about the
// pods of the stack's workloads.
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
