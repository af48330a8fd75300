// The other form of `pulumi preview --json`: with
// PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true the CLI prints the engine's events,
// one JSON object a line. Only this form carries policy results (the digest
// leaves policy events out), so the preview workflow uses it.
import { z } from "zod";
import type { PolicyResults } from "./policy-results";
import type { Preview, PreviewDiagnostic, PreviewStep } from "./preview";

const state = z
  .looseObject({
    urn: z.string(),
    type: z.string(),
    custom: z.boolean().optional(),
    inputs: z.record(z.string(), z.unknown()).nullish(),
    outputs: z.record(z.string(), z.unknown()).nullish(),
  })
  .nullish();

const stepMetadata = z.looseObject({
  op: z.string(),
  urn: z.string(),
  old: state,
  new: state,
  keys: z.array(z.string()).nullish(),
  diffs: z.array(z.string()).nullish(),
  detailedDiff: z.record(z.string(), z.looseObject({ diffKind: z.string(), inputDiff: z.boolean().optional() })).nullish(),
  logical: z.boolean().optional(),
});

const policyPackInfo = { policyPackName: z.string(), policyPackVersion: z.string().optional() };

const engineEvent = z.looseObject({
  resourcePreEvent: z.looseObject({ metadata: stepMetadata }).optional(),
  diagnosticEvent: z
    .looseObject({ urn: z.string().optional(), prefix: z.string().optional(), message: z.string(), severity: z.string(), ephemeral: z.boolean().optional() })
    .optional(),
  policyEvent: z
    .looseObject({ resourceUrn: z.string().optional(), message: z.string(), policyName: z.string(), enforcementLevel: z.string(), ...policyPackInfo })
    .optional(),
  policyAnalyzeSummaryEvent: z.looseObject({ passed: z.array(z.string()).nullish(), failed: z.array(z.string()).nullish(), ...policyPackInfo }).optional(),
  summaryEvent: z.looseObject({ resourceChanges: z.record(z.string(), z.number()).nullish() }).optional(),
});

export type EngineEvent = z.infer<typeof engineEvent>;

/** One event as the Automation API's onEvent hands it over, or undefined when it is not one. */
export function engineEventOf(json: unknown): EngineEvent | undefined {
  const event = engineEvent.safeParse(json);
  return event.success ? event.data : undefined;
}

/** Each line of the stream, checked; says which line is wrong. */
export function parseEngineEvents(text: string): EngineEvent[] {
  return text
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, n }) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`line ${n} is not JSON`);
      }
      const event = engineEvent.safeParse(json);
      if (!event.success) {
        throw new Error(`line ${n} is not an engine event: ${z.prettifyError(event.error)}`);
      }
      return event.data;
    });
}

/** Replacement steps the digest leaves out unless they are the logical step (as the CLI's --json does). */
const replacementSteps = new Set(["create-replacement", "delete-replaced", "read-replacement", "import-replacement", "discard-replaced"]);

function stepOf(m: z.infer<typeof stepMetadata>): PreviewStep {
  return {
    op: m.op,
    urn: m.urn,
    oldState: m.old ? { ...m.old, inputs: m.old.inputs ?? undefined, outputs: m.old.outputs ?? undefined } : undefined,
    newState: m.new ? { ...m.new, inputs: m.new.inputs ?? undefined, outputs: m.new.outputs ?? undefined } : undefined,
    diffReasons: m.diffs ?? undefined,
    replaceReasons: m.keys ?? undefined,
    detailedDiff: m.detailedDiff
      ? Object.fromEntries(Object.entries(m.detailedDiff).map(([path, d]) => [path, { kind: d.diffKind, inputDiff: d.inputDiff }]))
      : null,
  };
}

/** The same document `pulumi preview --json` prints without streaming. */
export function previewOfEvents(events: readonly EngineEvent[]): Preview {
  const steps: PreviewStep[] = [];
  const diagnostics: PreviewDiagnostic[] = [];
  let changeSummary: Record<string, number> | undefined;
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (m && m.op !== "same" && !(replacementSteps.has(m.op) && m.logical !== true)) {
      steps.push(stepOf(m));
    }
    const d = e.diagnosticEvent;
    if (d && d.severity !== "debug" && d.ephemeral !== true) {
      // The digest joins prefix ("error: ") and message; so does this.
      diagnostics.push({ urn: d.urn, message: `${d.prefix ?? ""}${d.message}`.replace(colorDirective, ""), severity: d.severity });
    }
    changeSummary = e.summaryEvent?.resourceChanges ?? changeSummary;
  }
  return { steps, diagnostics, changeSummary };
}

/** Policy findings, and which packs and rules ran. */
export function policyOfEvents(events: readonly EngineEvent[]): PolicyResults {
  const results: PolicyResults = { packs: {}, rules: [], violations: [] };
  const rules = new Set<string>();
  for (const e of events) {
    const summary = e.policyAnalyzeSummaryEvent;
    if (summary) {
      results.packs[summary.policyPackName] = summary.policyPackVersion ?? "";
      [...(summary.passed ?? []), ...(summary.failed ?? [])].forEach((r) => rules.add(r));
    }
    const p = e.policyEvent;
    if (p) {
      results.packs[p.policyPackName] = p.policyPackVersion ?? "";
      results.violations.push({
        policy: p.policyName,
        pack: p.policyPackName,
        mandatory: p.enforcementLevel === "mandatory" || p.enforcementLevel === "remediate",
        urn: p.resourceUrn ?? "",
        message: findingOf(p.message),
      });
    }
  }
  results.rules = [...rules].sort();
  return results;
}

/** The engine's colour directives, e.g. <{%fg 13%}> and <{%reset%}>. */
const colorDirective = /<\{%[^%]*%\}>/g;

/** The policy SDK sends "<description>\n<message>": the description is the rule's, the message the finding. */
function findingOf(message: string): string {
  const lines = message.replace(colorDirective, "").split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.length > 1 ? lines.slice(1).join(" ") : (lines[0] ?? "");
}
