// What scales a workload, matched on what the program declared: a
// HorizontalPodAutoscaler, or a KEDA ScaledObject (which makes and owns an
// HPA of its own in the cluster).
import { kindOf, metadataOf, specOf } from "./kubernetes";
import type { Subject } from "./rule";

export interface ScalerView {
  subject: Subject;
  kind: "HorizontalPodAutoscaler" | "ScaledObject";
  minReplicas: number;
  maxReplicas?: number;
  target: { kind?: string; name?: string };
}

interface HpaSpecView {
  minReplicas?: number;
  maxReplicas?: number;
  scaleTargetRef?: { kind?: string; name?: string };
}

interface ScaledObjectSpecView {
  minReplicaCount?: number;
  maxReplicaCount?: number;
  scaleTargetRef?: { kind?: string; name?: string };
}

/** How the rules' messages name a scaler. */
export const scalerLabel = (s: ScalerView): string => `${s.kind} "${s.subject.name}"`;

/** Every HPA and ScaledObject, with the bounds and target their API servers would default. */
export function scalersOf(subjects: readonly Subject[]): ScalerView[] {
  return subjects.flatMap((s): ScalerView[] => {
    const kind = kindOf(s.type);
    if (kind === "HorizontalPodAutoscaler") {
      const spec = specOf(s.props) as HpaSpecView;
      return [{ subject: s, kind, minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas, target: spec.scaleTargetRef ?? {} }];
    }
    if (kind === "ScaledObject") {
      // KEDA's defaults: a Deployment, down to 0 replicas, up to 100.
      const spec = specOf(s.props) as ScaledObjectSpecView;
      const target = spec.scaleTargetRef ?? {};
      return [{ subject: s, kind, minReplicas: spec.minReplicaCount ?? 0, maxReplicas: spec.maxReplicaCount ?? 100, target: { kind: target.kind ?? "Deployment", name: target.name } }];
    }
    return [];
  });
}

/**
 * The workloads among `subjects` that `scaler` scales: same kind, same
 * namespace when both are known, and the same name. An auto-named workload
 * has no name in its inputs; the name Pulumi gives it is its logical name
 * plus a suffix.
 */
export function scaledBy(scaler: ScalerView, subjects: readonly Subject[]): Subject[] {
  const { kind, name } = scaler.target;
  const scalerNamespace = metadataOf(scaler.subject.props).namespace;
  if (kind === undefined || name === undefined) {
    return [];
  }
  return subjects.filter((w) => {
    const meta = metadataOf(w.props);
    if (kindOf(w.type) !== kind) {
      return false;
    }
    if (meta.namespace !== undefined && scalerNamespace !== undefined && meta.namespace !== scalerNamespace) {
      return false;
    }
    return meta.name !== undefined ? meta.name === name : name.startsWith(`${w.name}-`);
  });
}
