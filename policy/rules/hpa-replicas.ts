// When an HPA scales a workload, the workload must not keep setting
// spec.replicas: every update would reset the count the HPA chose (scaling a
// loaded service down), and with server-side apply the two managers conflict
// over the field. Setting it for the first rollout only (so a new stack starts
// at the HPA's minimum) is fine: ignoreChanges on spec.replicas keeps Pulumi
// from sending it again.
import { kindOf, specOf } from "./kubernetes";
import type { StackRule, Subject, Violation } from "./rule";
import { hpasOf, scaledBy } from "./scale-target";

function onlyOnCreate(w: Subject): boolean {
  return (w.ignoreChanges ?? []).some((path) => path === "spec.replicas" || path === "spec");
}

export const hpaOwnsReplicas: StackRule = {
  name: "hpa-owns-replicas",
  description: "A workload scaled by a HorizontalPodAutoscaler sets spec.replicas at most for its first rollout (with ignoreChanges on it).",
  enforcementLevel: "mandatory",
  scope: "stack",
  check(subjects: readonly Subject[]): Violation[] {
    return hpasOf(subjects).flatMap((hpa) =>
      scaledBy(hpa, subjects)
        .filter((w: Subject) => specOf(w.props).replicas !== undefined && !onlyOnCreate(w))
        .map((w) => ({
          urn: w.urn,
          message: `spec.replicas is ${String(specOf(w.props).replicas)} but HorizontalPodAutoscaler "${hpa.name}" scales this ${kindOf(w.type)}: leave replicas unset, or add ignoreChanges: ["spec.replicas"] so only the first rollout uses it`,
        })),
    );
  },
};
