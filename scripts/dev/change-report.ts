// The change report of report/, for a terminal: what the update did, which
// workloads it rolled and which images it swapped, from the engine's events.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { summaryLine } from "../../report/counts";
import { engineEventOf, previewOfEvents } from "../../report/engine-events";
import { stackReport } from "../../report/stack-report";

/** A digest's short form: repository@sha256:0123456789ab. */
const shortRef = (ref: string | undefined) => (ref === undefined ? "none" : ref.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1"));

export function changeReport(stack: string, events: readonly EngineEvent[]): string[] {
  const parsed = events.flatMap((e) => {
    const event = engineEventOf(e);
    return event === undefined ? [] : [event];
  });
  const report = stackReport(stack, previewOfEvents(parsed));
  const lines = [`  changes: ${summaryLine(report.counts)}`];
  for (const c of report.destructive) {
    lines.push(`    ${c.op} ${c.kind} ${c.name}${c.replaceFields.length > 0 ? ` (${c.replaceFields.join(", ")})` : ""}`);
  }
  for (const r of report.restarts) {
    lines.push(`    rolls ${r.change.kind} ${r.change.name}${r.fields.length > 0 ? ` (${r.fields.slice(0, 3).join(", ")}${r.fields.length > 3 ? ", …" : ""})` : ""}`);
  }
  for (const i of report.images) {
    lines.push(`    image of ${i.change.kind} ${i.change.name}/${i.container}: ${shortRef(i.from)} → ${shortRef(i.to)}`);
  }
  return lines;
}
