// A service that asks for more than one replica wants to survive a node drain:
// without a PodDisruptionBudget, `kubectl drain` may evict every pod at once.
import { kindOf, specOf } from "./kubernetes";
import type { StackRule, Subject, Violation } from "./rule";
import { scaledBy, scalerLabel, scalersOf } from "./scale-target";

interface PodTemplateView {
  metadata?: { labels?: Record<string, string> };
}

function selects(selector: unknown, labels: Record<string, string>): boolean {
  const wanted = Object.entries((selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

export const disruptionBudget: StackRule = {
  name: "disruption-budget",
  description: "A workload an HPA or a ScaledObject keeps at more than one replica is covered by a PodDisruptionBudget.",
  enforcementLevel: "advisory",
  scope: "stack",
  check(subjects: readonly Subject[]): Violation[] {
    const budgets = subjects.filter((s) => kindOf(s.type) === "PodDisruptionBudget");
    return scalersOf(subjects)
      .filter((scaler) => scaler.minReplicas > 1)
      .flatMap((scaler) =>
        scaledBy(scaler, subjects)
          .filter((w: Subject) => {
            const labels = (specOf(w.props).template as PodTemplateView | undefined)?.metadata?.labels ?? {};
            return !budgets.some((b) => selects(specOf(b.props).selector, labels));
          })
          .map((w) => ({
            urn: w.urn,
            message: `${scalerLabel(scaler)} keeps at least ${scaler.minReplicas} replicas but no PodDisruptionBudget selects the pods`,
          })),
      );
  },
};
