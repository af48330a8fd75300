// Which changes restart pods: a changed pod template rolls a workload's pods;
// replacing the workload recreates them.
import type { Change } from "./changes";

/** Workloads whose running pods follow spec.template. CronJobs only affect future runs. */
const rolling = new Set([
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:core/v1:ReplicationController",
]);

export interface Restart {
  change: Change;
  /** replaced: every pod is recreated; template: the pod template changes; maybe: the whole spec changes, the template's fields unknown. */
  why: "replaced" | "template" | "maybe";
  /** The pod template fields that change. */
  fields: string[];
}

function restartOf(c: Change): Restart | undefined {
  const isPod = c.type === "kubernetes:core/v1:Pod";
  if (!rolling.has(c.type) && !isPod) {
    return undefined;
  }
  if (c.op === "replace") {
    return { change: c, why: "replaced", fields: [] };
  }
  if (c.op !== "update") {
    return undefined;
  }
  const template = c.fields.filter((f) => (isPod ? f.startsWith("spec") : f.startsWith("spec.template")));
  if (template.length > 0) {
    return { change: c, why: "template", fields: template };
  }
  // Without a detailed diff only top-level keys are known; and a detailed
  // diff of the whole spec (added or removed at once) holds the template too.
  if (c.fields.includes("spec")) {
    return { change: c, why: "maybe", fields: ["spec"] };
  }
  return undefined;
}

export function restartsOf(changes: readonly Change[]): Restart[] {
  return changes.flatMap((c) => restartOf(c) ?? []);
}
