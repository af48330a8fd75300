// The recommended app.kubernetes.io labels let kubectl, dashboards and cost
// tools group objects by application and tell who manages them.
import { kindOf, metadataOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

const recommended = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by"];

export const recommendedLabels: ResourceRule = {
  name: "recommended-labels",
  description: "Kubernetes objects carry the recommended labels app.kubernetes.io/name, instance and managed-by.",
  enforcementLevel: "advisory",
  scope: "resource",
  check(s: Subject): string[] {
    if (kindOf(s.type) === "") {
      return [];
    }
    const labels = metadataOf(s.props).labels ?? {};
    const missing = recommended.filter((l) => labels[l] === undefined);
    return missing.length > 0 ? [`metadata.labels lack ${missing.join(", ")}`] : [];
  },
};
