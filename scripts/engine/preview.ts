// What a `pulumi preview --json` says, reduced to what the engine checks
// assert: the operation on each resource and the diagnostics.
import { parseUrn } from "../../policy/urn";

export interface PreviewStep {
  op: string;
  urn: string;
  /** The resource type, from the URN. */
  type: string;
  /** The resource name, from the URN. */
  name: string;
}

export interface PreviewDiagnostic {
  severity: string;
  message: string;
  urn?: string;
}

export interface Preview {
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
}

interface RawPreview {
  steps?: { op?: string; urn?: string }[];
  diagnostics?: { severity?: string; message?: string; urn?: string }[];
}

export function parsePreview(json: string): Preview {
  const raw = JSON.parse(json) as RawPreview;
  const steps = (raw.steps ?? []).map((s) => {
    const urn = s.urn ?? "";
    const parsed = parseUrn(urn);
    return { op: s.op ?? "", urn, type: parsed?.type ?? "", name: parsed?.name ?? "" };
  });
  const diagnostics = (raw.diagnostics ?? []).map((d) => ({ severity: d.severity ?? "", message: (d.message ?? "").trim(), urn: d.urn }));
  return { steps, diagnostics };
}

/** "op type" for every step that is not "same", sorted: what the preview would change. */
export function changes(p: Preview): string[] {
  return p.steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.type}`)
    .sort();
}
