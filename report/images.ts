// Image changes per container: the digest a workload runs before and after.
import { containersOf, podSpecOf } from "../policy/rules/kubernetes";
import type { Change } from "./changes";

export interface ImageChange {
  change: Change;
  container: string;
  /** undefined when the workload or container is new. */
  from?: string;
  /** undefined when the workload or container goes away. */
  to?: string;
}

function imagesOf(type: string, inputs: Record<string, unknown> | undefined): Map<string, string> {
  const pod = inputs ? podSpecOf(type, inputs) : undefined;
  return new Map(containersOf(pod ?? {}).map((c) => [c.name ?? "?", c.image ?? ""]));
}

export function imageChangesOf(changes: readonly Change[]): ImageChange[] {
  const found: ImageChange[] = [];
  for (const change of changes) {
    const before = imagesOf(change.type, change.step.oldState?.inputs);
    const after = change.op === "delete" ? new Map<string, string>() : imagesOf(change.type, change.step.newState?.inputs);
    for (const container of new Set([...before.keys(), ...after.keys()])) {
      const from = before.get(container);
      const to = after.get(container);
      if (from !== to) {
        found.push({ change, container, from, to });
      }
    }
  }
  return found;
}
