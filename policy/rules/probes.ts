// Without a readiness probe a pod takes traffic before it can serve it and
// during its drain; without a liveness probe a hung process is never
// restarted. Advisory: a batch job or a sidecar may rightly have neither.
import { containerLabel, podSpecOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

export const probesConfigured: ResourceRule = {
  name: "probes-configured",
  description: "Every long-running container has a readiness and a liveness probe.",
  enforcementLevel: "advisory",
  scope: "resource",
  check(s: Subject): string[] {
    if (s.type === "kubernetes:batch/v1:Job" || s.type === "kubernetes:batch/v1:CronJob") {
      return [];
    }
    const pod = podSpecOf(s.type, s.props);
    const problems: string[] = [];
    for (const c of pod?.containers ?? []) {
      const missing = (["readinessProbe", "livenessProbe"] as const).filter((p) => c[p] === undefined);
      if (missing.length > 0) {
        problems.push(`${containerLabel(c)}: no ${missing.join(" or ")}`);
      }
    }
    return problems;
  },
};
