// What a `pulumi preview --json` says, reduced to what the engine checks
// assert: the operation on each resource and the diagnostics.
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
    // urn:pulumi:<stack>::<project>::<parent types$>type::name
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    return { op: s.op ?? "", urn, type, name: parts[3] ?? "" };
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
