// The document `pulumi preview --json` prints (the engine's PreviewDigest):
// only the fields the report reads are checked; everything else passes through.
import { z } from "zod";

const state = z.looseObject({
  urn: z.string(),
  type: z.string(),
  custom: z.boolean().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});

const propertyDiff = z.looseObject({
  /** add, add-replace, update, update-replace, delete, delete-replace */
  kind: z.string(),
  inputDiff: z.boolean().optional(),
});

const step = z.looseObject({
  op: z.string(),
  urn: z.string(),
  oldState: state.optional(),
  newState: state.optional(),
  diffReasons: z.array(z.string()).optional(),
  replaceReasons: z.array(z.string()).optional(),
  detailedDiff: z.record(z.string(), propertyDiff).nullish(),
});

const diagnostic = z.looseObject({
  urn: z.string().optional(),
  message: z.string().optional(),
  severity: z.string().optional(),
});

const previewSchema = z.looseObject({
  steps: z.array(step).optional(),
  diagnostics: z.array(diagnostic).optional(),
  changeSummary: z.record(z.string(), z.number()).optional(),
});

export type ResourceState = z.infer<typeof state>;
export type PreviewStep = z.infer<typeof step>;
export type PreviewDiagnostic = z.infer<typeof diagnostic>;
export type Preview = z.infer<typeof previewSchema>;

/** Parses the preview document, or says what is wrong with it. */
export function parsePreview(text: string): Preview {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (is this the output of pulumi preview --json?): ${String(e)}`);
  }
  const result = previewSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`not a pulumi preview --json document: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
