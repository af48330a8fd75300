// The steps of a preview as rows a reviewer reads: what happens to which
// resource, and which fields change. Destructive operations come first.
import type { Preview, PreviewStep } from "./preview";
import { resourceName } from "./resource-name";

export interface Change {
  /** The engine's operation: create, update, replace, delete, ... */
  op: string;
  kind: string;
  name: string;
  type: string;
  urn: string;
  /** Changed property paths from the detailed diff (top-level keys if the provider gave none). */
  fields: string[];
  /** The subset of `fields` that forces a replacement. */
  replaceFields: string[];
  step: PreviewStep;
}

/** Operations that delete something, now or after its replacement is up. */
const destructive = new Set(["delete", "replace", "delete-replaced", "discard", "discard-replaced", "read-replacement", "import-replacement", "remove-pending-replace"]);

/** Reading order: what destroys first, then what creates, then the rest. */
const opOrder = ["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace", "replace", "create-replacement", "read-replacement", "import-replacement", "create", "import", "update", "read", "refresh"];

export function isDestructive(op: string): boolean {
  return destructive.has(op);
}

function fieldsOf(step: PreviewStep): { fields: string[]; replaceFields: string[] } {
  const detailed = step.detailedDiff ? Object.entries(step.detailedDiff) : [];
  if (detailed.length === 0) {
    const reasons = step.diffReasons ?? [];
    return { fields: [...reasons].sort(), replaceFields: [...(step.replaceReasons ?? [])].sort() };
  }
  return {
    fields: detailed.map(([path]) => path).sort(),
    replaceFields: detailed.filter(([, d]) => d.kind.endsWith("-replace")).map(([path]) => path).sort(),
  };
}

const rank = (op: string) => {
  const i = opOrder.indexOf(op);
  return i === -1 ? opOrder.length : i;
};

/** Every step that changes something, destructive ones first. */
export function changesOf(preview: Preview): Change[] {
  return (preview.steps ?? [])
    .filter((s) => s.op !== "same")
    .map((step) => ({ op: step.op, ...resourceName(step.urn), urn: step.urn, ...fieldsOf(step), step }))
    .sort((a, b) => rank(a.op) - rank(b.op) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
