// The parts of Kubernetes objects the rules read. Inputs come from programs, so
// every field is optional and read defensively.

export interface ContainerView {
  name?: string;
  image?: string;
  securityContext?: SecurityContextView;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

export interface SecurityContextView {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface PodSpecView {
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  securityContext?: SecurityContextView;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  automountServiceAccountToken?: boolean;
}

export interface MetadataView {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** "kubernetes:apps/v1:Deployment" -> "Deployment"; "" for other packages. */
export function kindOf(type: string): string {
  return type.startsWith("kubernetes:") ? (type.split(":")[2] ?? "") : "";
}

function objectAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null) {
      return undefined;
    }
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "object" && at !== null ? (at as Record<string, unknown>) : undefined;
}

/** Where each workload type keeps its pod template's spec. */
const podSpecPaths: Record<string, string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The pod spec a workload runs, or undefined for objects that run no pods. */
export function podSpecOf(type: string, props: Record<string, unknown>): PodSpecView | undefined {
  const path = podSpecPaths[type];
  return path ? objectAt(props, ...path) : undefined;
}

/** Every container that runs in the pod, init containers included. */
export function containersOf(pod: PodSpecView): ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

export function metadataOf(props: Record<string, unknown>): MetadataView {
  return objectAt(props, "metadata") ?? {};
}

/** A field of `spec`, if the object has one. */
export function specOf(props: Record<string, unknown>): Record<string, unknown> {
  return objectAt(props, "spec") ?? {};
}

/** How a container is named in messages. */
export function containerLabel(c: ContainerView): string {
  return `container "${c.name ?? "?"}"`;
}
