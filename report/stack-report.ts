// Everything the report says about one stack's preview, before it is written
// down: the facts, in the order a reviewer needs them.
import { Change, changesOf, isDestructive } from "./changes";
import { Counts, countsOf } from "./counts";
import { ImageChange, imageChangesOf } from "./images";
import type { PolicyResults, PolicyViolation } from "./policy-results";
import type { Preview, PreviewDiagnostic } from "./preview";
import { Restart, restartsOf } from "./restarts";

export interface StackReport {
  stack: string;
  counts: Counts;
  /** Deletes and replacements: called out first. */
  destructive: Change[];
  restarts: Restart[];
  images: ImageChange[];
  changes: Change[];
  errors: PreviewDiagnostic[];
  warnings: PreviewDiagnostic[];
  /** undefined when no policy pack ran (or its results were not given). */
  policy?: { packs: Record<string, string>; rules: string[]; mandatory: PolicyViolation[]; advisory: PolicyViolation[] };
}

export function stackReport(stack: string, preview: Preview, policy?: PolicyResults): StackReport {
  const changes = changesOf(preview);
  const diagnostics = preview.diagnostics ?? [];
  return {
    stack,
    counts: countsOf(preview),
    destructive: changes.filter((c) => isDestructive(c.op)),
    restarts: restartsOf(changes),
    images: imageChangesOf(changes),
    changes,
    errors: diagnostics.filter((d) => d.severity === "error"),
    warnings: diagnostics.filter((d) => d.severity === "warning"),
    policy: policy && {
      packs: policy.packs,
      rules: policy.rules,
      mandatory: policy.violations.filter((v) => v.mandatory),
      advisory: policy.violations.filter((v) => !v.mandatory),
    },
  };
}
