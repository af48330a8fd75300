// One owner of a workload's replica count. When an HPA (or a KEDA
// ScaledObject, whose HPA KEDA makes) scales a workload, the workload must not
// keep setting spec.replicas: every update would reset the count the scaler
// chose (scaling a loaded service down), and with server-side apply the two
// managers conflict over the field. Setting it for the first rollout only (so
// a new stack starts at the minimum) is fine: ignoreChanges on spec.replicas
// keeps Pulumi from sending it again. Two scalers on one workload would
// fight each other the same way.
import { kindOf, specOf } from "./kubernetes";
import type { StackRule, Subject, Violation } from "./rule";
import { scaledBy, scalerLabel, scalersOf } from "./scale-target";

function onlyOnCreate(w: Subject): boolean {
  return (w.ignoreChanges ?? []).some((path) => path === "spec.replicas" || path === "spec");
}

export const hpaOwnsReplicas: StackRule = {
  name: "hpa-owns-replicas",
  description:
    "A workload has at most one scaler (a HorizontalPodAutoscaler or a KEDA ScaledObject), and a scaled workload sets spec.replicas at most for its first rollout (with ignoreChanges on it).",
  enforcementLevel: "mandatory",
  scope: "stack",
  check(subjects: readonly Subject[]): Violation[] {
    const scalers = scalersOf(subjects);
    const pairs = scalers.flatMap((scaler) => scaledBy(scaler, subjects).map((workload) => ({ scaler, workload })));
    const workloads = [...new Set(pairs.map((p) => p.workload))];
    return workloads.flatMap((w) => {
      const mine = pairs.filter((p) => p.workload === w).map((p) => p.scaler);
      const problems: Violation[] = [];
      if (mine.length > 1) {
        problems.push({ urn: w.urn, message: `${mine.map(scalerLabel).join(" and ")} all scale this ${kindOf(w.type)}: keep one, or they undo each other's replica counts` });
      }
      if (specOf(w.props).replicas !== undefined && !onlyOnCreate(w)) {
        problems.push(
          ...mine.map((scaler) => ({
            urn: w.urn,
            message: `spec.replicas is ${String(specOf(w.props).replicas)} but ${scalerLabel(scaler)} scales this ${kindOf(w.type)}: leave replicas unset, or add ignoreChanges: ["spec.replicas"] so only the first rollout uses it`,
          })),
        );
      }
      return problems;
    });
  },
};
