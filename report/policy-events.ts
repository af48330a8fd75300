// Policy results from the engine's event log (`pulumi preview --event-log`):
// `--json` leaves policy events out, the event log has them all.
import { z } from "zod";

const policyEvent = z.looseObject({
  resourceUrn: z.string().optional(),
  message: z.string(),
  policyName: z.string(),
  policyPackName: z.string(),
  policyPackVersion: z.string().optional(),
  /** "mandatory", "advisory" or "remediate" (older engines: "warning"). */
  enforcementLevel: z.string(),
});

const summaryEvent = z.looseObject({
  PolicyPacks: z.record(z.string(), z.string()).nullish(),
});

const engineEvent = z.looseObject({
  policyEvent: policyEvent.optional(),
  summaryEvent: summaryEvent.optional(),
});

export interface PolicyViolation {
  policy: string;
  pack: string;
  mandatory: boolean;
  /** Empty for a violation of the stack as a whole. */
  urn: string;
  message: string;
}

export interface PolicyResults {
  /** Policy packs that ran, name -> version. Empty if none did. */
  packs: Record<string, string>;
  violations: PolicyViolation[];
}

/** The engine's colour directives, e.g. <{%fg 13%}> and <{%reset%}>. */
const colorDirective = /<\{%[^%]*%\}>/g;

/** The policy SDK sends "<description>\n<message>"; the description is the rule's, the message the finding. */
function ruleMessage(message: string): string {
  const lines = message.replace(colorDirective, "").split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.length > 1 ? lines.slice(1).join(" ") : (lines[0] ?? "");
}

export function parsePolicyEvents(jsonLines: string): PolicyResults {
  const results: PolicyResults = { packs: {}, violations: [] };
  const lines = jsonLines.split("\n").filter((l) => l.trim() !== "");
  for (const [i, line] of lines.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`event log line ${i + 1} is not JSON (is this the file written by pulumi preview --event-log?)`);
    }
    const event = engineEvent.safeParse(json);
    if (!event.success) {
      throw new Error(`event log line ${i + 1}: ${z.prettifyError(event.error)}`);
    }
    const { policyEvent: p, summaryEvent: s } = event.data;
    if (p) {
      results.violations.push({
        policy: p.policyName,
        pack: p.policyPackName,
        mandatory: p.enforcementLevel === "mandatory" || p.enforcementLevel === "remediate",
        urn: p.resourceUrn ?? "",
        message: ruleMessage(p.message),
      });
    }
    if (s?.PolicyPacks) {
      Object.assign(results.packs, s.PolicyPacks);
    }
  }
  return results;
}
