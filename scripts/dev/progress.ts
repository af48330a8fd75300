// One compact line per thing worth seeing while the engine updates the stack:
// a workload or the image starting to change, each resource done (with how
// long it took), the Kubernetes provider's rollout status as it changes, and
// errors. Everything else (unchanged resources, repeated status) is dropped.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { resourceName } from "../../report/resource-name";

/** Resources whose change takes long enough to announce when it starts. */
const slow = new Set(["docker-build:index:Image", "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"]);
/** Steps without a line: nothing done, or the replacement's logical step (its create and delete have theirs). */
const quiet = new Set(["same", "read", "refresh", "replace"]);
const done: Record<string, string> = { create: "created", update: "updated", delete: "deleted", "create-replacement": "created the replacement of", "delete-replaced": "deleted the replaced" };
/** The stack itself: its "done" says nothing the summary does not. */
const stackType = "pulumi:pulumi:Stack";

const firstLine = (s: string) => (s.split("\n").find((l) => l.trim() !== "") ?? "").trim();
/** The engine's colour directives, e.g. <{%fg 13%}>. */
const colour = /<\{%[^%]*%\}>/g;

export class Progress {
  private readonly started = new Map<string, number>();
  private readonly lastStatus = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The line for this event, if it deserves one. */
  line(e: EngineEvent): string | undefined {
    const pre = e.resourcePreEvent?.metadata;
    if (pre !== undefined && !quiet.has(pre.op)) {
      this.started.set(`${pre.urn}/${pre.op}`, this.now());
      const { kind, name } = resourceName(pre.urn);
      return slow.has(pre.type) ? `  … ${pre.op} ${kind} ${name}` : undefined;
    }
    const out = e.resOutputsEvent?.metadata;
    if (out !== undefined && !quiet.has(out.op) && out.type !== stackType) {
      const { kind, name } = resourceName(out.urn);
      const since = this.started.get(`${out.urn}/${out.op}`);
      const took = since === undefined ? "" : ` (${((this.now() - since) / 1000).toFixed(1)} s)`;
      return `  ✓ ${done[out.op] ?? out.op} ${kind} ${name}${took}`;
    }
    const failed = e.resOpFailedEvent?.metadata;
    if (failed !== undefined) {
      const { kind, name } = resourceName(failed.urn);
      return `  ✗ ${failed.op} ${kind} ${name} failed`;
    }
    const d = e.diagnosticEvent;
    if (d !== undefined && d.urn !== undefined) {
      const { kind, name } = resourceName(d.urn);
      const message = firstLine(d.message.replace(colour, ""));
      if (d.severity === "error") {
        return `  ✗ ${kind} ${name}: ${message}`;
      }
      // The provider's await status ("[1/2] Waiting for app ReplicaSet to be available ..."), once per change.
      if (d.severity === "info" && d.ephemeral === true && message !== "" && this.lastStatus.get(d.urn) !== message) {
        this.lastStatus.set(d.urn, message);
        return `    ${kind} ${name}: ${message}`;
      }
    }
    return undefined;
  }
}
