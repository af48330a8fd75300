// Which workloads a HorizontalPodAutoscaler scales, matched on what the
// program declared.
import { kindOf, metadataOf, specOf } from "./kubernetes";
import type { Subject } from "./rule";

export interface HpaSpecView {
  minReplicas?: number;
  maxReplicas?: number;
  scaleTargetRef?: { kind?: string; name?: string };
}

export function hpaSpecOf(hpa: Subject): HpaSpecView {
  return specOf(hpa.props);
}

/**
 * The workloads among `subjects` that `hpa` scales: same kind, same namespace
 * when both are known, and the same name. An auto-named workload has no name
 * in its inputs; the name Pulumi gives it is its logical name plus a suffix.
 */
export function scaledBy(hpa: Subject, subjects: readonly Subject[]): Subject[] {
  const target = hpaSpecOf(hpa).scaleTargetRef;
  const hpaNamespace = metadataOf(hpa.props).namespace;
  const name = target?.name;
  if (target?.kind === undefined || name === undefined) {
    return [];
  }
  return subjects.filter((w) => {
    const meta = metadataOf(w.props);
    if (kindOf(w.type) !== target.kind) {
      return false;
    }
    if (meta.namespace !== undefined && hpaNamespace !== undefined && meta.namespace !== hpaNamespace) {
      return false;
    }
    return meta.name !== undefined ? meta.name === name : name.startsWith(`${w.name}-`);
  });
}

export function hpasOf(subjects: readonly Subject[]): Subject[] {
  return subjects.filter((s) => kindOf(s.type) === "HorizontalPodAutoscaler");
}
