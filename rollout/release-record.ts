// The last release of each Canary as read from the cluster, written beside the
// redacted state that pull-request previews download (scripts/ci/snapshot.sh),
// so the pull-request report can say whether the deployed release was promoted
// or rolled back. It holds names, phases, counts, times and Flagger's
// condition message (redacted): nothing the preview could not be shown.
import { z } from "zod";
import { type CanaryObject, promotedMessage } from "./canary-object";
import type { CanaryRef } from "./stack-state";
import { parseJsonDocument } from "./parse-json";

export const canaryRecord = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  /** Flagger's status.phase; "" before Flagger wrote a status, "absent" when the Canary does not exist. */
  phase: z.string(),
  canaryWeight: z.number().optional(),
  failedChecks: z.number().optional(),
  lastTransitionTime: z.string().optional(),
  message: z.string().optional(),
});
export const releaseRecord = z.strictObject({ readAt: z.string(), canaries: z.array(canaryRecord) });

export type CanaryRecord = z.infer<typeof canaryRecord>;
export type ReleaseRecord = z.infer<typeof releaseRecord>;

export function canaryRecordOf(ref: CanaryRef, canary: CanaryObject | undefined, redact: (text: string) => string): CanaryRecord {
  if (canary === undefined) {
    return { namespace: ref.namespace, name: ref.name, phase: "absent" };
  }
  const s = canary.status;
  const message = promotedMessage(canary);
  return {
    namespace: ref.namespace,
    name: ref.name,
    phase: s?.phase ?? "",
    canaryWeight: s?.canaryWeight,
    failedChecks: s?.failedChecks,
    lastTransitionTime: s?.lastTransitionTime,
    message: message === undefined ? undefined : redact(message),
  };
}

export function readReleaseRecord(text: string): ReleaseRecord {
  return parseJsonDocument(text, { schema: releaseRecord, notJson: "the release record is not JSON", what: "a release record" });
}

/** What the phase Flagger left means for the release, in the pull-request report's words. */
function outcomeOf(c: CanaryRecord): string {
  switch (c.phase) {
    case "Succeeded":
      return "promoted";
    case "Failed":
      return "**rolled back**: the primary runs the previous version";
    case "Initialized":
      return "initialized (the first release: nothing analysed)";
    case "absent":
      return "no Canary in the cluster";
    case "":
      return "not picked up by Flagger yet";
    default: {
      const parts = [`in progress (\`${c.phase}\``];
      if ((c.canaryWeight ?? 0) > 0) {
        parts.push(`, weight ${String(c.canaryWeight)} %`);
      }
      if ((c.failedChecks ?? 0) > 0) {
        parts.push(`, failed checks ${String(c.failedChecks)}`);
      }
      return `${parts.join("")})`;
    }
  }
}

/** Markdown for the pull-request report: each Canary's last release as the deploy read it. */
export function describeRelease(record: ReleaseRecord): string {
  const lines = record.canaries.map((c) => {
    const since = c.lastTransitionTime === undefined ? "" : ` since ${c.lastTransitionTime}`;
    const message = c.message === undefined || c.message === "" ? "" : ` (Flagger: ${c.message})`;
    return `- canary \`${c.namespace}/${c.name}\`: ${outcomeOf(c)}${since}${message}`;
  });
  return [`The last release, as the deploy read it at ${record.readAt}:`, ...lines].join("\n");
}
