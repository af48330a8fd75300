// An autoscaled service nobody hears about can sit at its ceiling, fail every
// request or lose its database unnoticed: a namespace whose workload an HPA
// (or a KEDA ScaledObject) scales must have a PrometheusRule with the alerts,
// and the one for the ceiling must fire at that scaler's maximum.
import { alertNames } from "../../components/alerts";
import { metadataOf, specOf } from "./kubernetes";
import type { StackRule, Subject, Violation } from "./rule";
import { scalerLabel, scalersOf } from "./scale-target";

/** The alerts every autoscaled stack has: all that components/alerts.ts declares. */
export const requiredAlerts = alertNames;

interface RuleView {
  alert?: string;
  expr?: unknown;
}

/** The alerting rules of the PrometheusRules in a namespace. */
function alertsIn(namespace: string | undefined, subjects: readonly Subject[]): RuleView[] {
  return subjects
    .filter((s) => s.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && metadataOf(s.props).namespace === namespace)
    .flatMap((s) => ((specOf(s.props).groups ?? []) as { rules?: RuleView[] }[]).flatMap((g) => g.rules ?? []));
}

export const hpaHasAlerts: StackRule = {
  name: "hpa-has-alerts",
  description: "A namespace with a HorizontalPodAutoscaler or a ScaledObject has a PrometheusRule with the goapi alerts, the ceiling's at its maximum replicas.",
  enforcementLevel: "mandatory",
  scope: "stack",
  check(subjects: readonly Subject[]): Violation[] {
    return scalersOf(subjects).flatMap((scaler) => {
      const hpa = scaler.subject;
      const namespace = metadataOf(hpa.props).namespace;
      const alerts = alertsIn(namespace, subjects);
      const missing = requiredAlerts.filter((name) => !alerts.some((a) => a.alert === name));
      const where = `${scalerLabel(scaler)} (namespace ${namespace ?? "unset"})`;
      if (missing.length > 0) {
        return [{ urn: hpa.urn, message: `${where} has no PrometheusRule with ${missing.join(", ")}: declare ApiMonitoring (components/monitoring.ts) for the workload it scales` }];
      }
      const max = scaler.maxReplicas;
      const ceiling = alerts.find((a) => a.alert === "GoapiAtMaxReplicas");
      const expr = typeof ceiling?.expr === "string" ? ceiling.expr : "";
      const threshold = /\s>=\s*(\d+)\s*$/.exec(expr)?.[1];
      if (max !== undefined && threshold !== String(max)) {
        return [{ urn: hpa.urn, message: `${where} scales to ${max} pods, but GoapiAtMaxReplicas fires at ${threshold ?? "an unknown count"}: give the alert the scaler's maximum` }];
      }
      return [];
    });
  },
};
