// Requests let the scheduler place pods and the HPA compute utilization;
// limits keep one pod from starving its neighbours on a shared node.
import { containerLabel, containersOf, podSpecOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

const required = ["cpu", "memory"] as const;

export const requestsAndLimits: ResourceRule = {
  name: "resources-requests-and-limits",
  description: "Every container sets cpu and memory requests and limits.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    const pod = podSpecOf(s.type, s.props);
    const problems: string[] = [];
    for (const c of containersOf(pod ?? {})) {
      for (const bound of ["requests", "limits"] as const) {
        const missing = required.filter((r) => c.resources?.[bound]?.[r] === undefined);
        if (missing.length > 0) {
          problems.push(`${containerLabel(c)}: resources.${bound} must set ${missing.join(" and ")}`);
        }
      }
    }
    return problems;
  },
};
