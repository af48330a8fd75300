// Reads what `pulumi preview --json` printed, in either form: the digest (one
// JSON document) or the engine's event stream (one event a line), which also
// holds the policy results.
import { parseEngineEvents, policyOfEvents, previewOfEvents } from "./engine-events";
import type { PolicyResults } from "./policy-results";
import { Preview, parsePreview } from "./preview";

export interface PreviewOutput {
  preview: Preview;
  /** Only the event stream carries policy results. */
  policy?: PolicyResults;
  form: "digest" | "events";
}

/** A whole stream does not parse as one document; a one-event stream has the events' sequence number. */
function isEventStream(text: string): boolean {
  try {
    const doc: unknown = JSON.parse(text);
    return typeof doc === "object" && doc !== null && "sequence" in doc;
  } catch {
    return text.trimStart().startsWith("{\"");
  }
}

export function readPreviewOutput(text: string): PreviewOutput {
  if (text.trim() === "") {
    throw new Error("empty: pulumi preview --json printed nothing (did it fail before starting? see its stderr)");
  }
  if (isEventStream(text)) {
    const events = parseEngineEvents(text);
    return { preview: previewOfEvents(events), policy: policyOfEvents(events), form: "events" };
  }
  return { preview: parsePreview(text), form: "digest" };
}
