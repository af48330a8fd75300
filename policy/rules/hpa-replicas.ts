// When an HPA scales a workload, the workload must not also set spec.replicas:
// every update would reset the count the HPA chose (scaling a loaded service
// down), and with server-side apply the two managers conflict over the field.
import { kindOf, specOf } from "./kubernetes";
import type { StackRule, Subject, Violation } from "./rule";
import { hpasOf, scaledBy } from "./scale-target";

export const hpaOwnsReplicas: StackRule = {
  name: "hpa-owns-replicas",
  description: "A workload scaled by a HorizontalPodAutoscaler does not set spec.replicas.",
  enforcementLevel: "mandatory",
  scope: "stack",
  check(subjects: readonly Subject[]): Violation[] {
    return hpasOf(subjects).flatMap((hpa) =>
      scaledBy(hpa, subjects)
        .filter((w: Subject) => specOf(w.props).replicas !== undefined)
        .map((w) => ({
          urn: w.urn,
          message: `spec.replicas is ${String(specOf(w.props).replicas)} but HorizontalPodAutoscaler "${hpa.name}" scales this ${kindOf(w.type)}: leave replicas unset`,
        })),
    );
  },
};
