// What each Canary of the stack looked like just before `pulumi up`: the hash
// Flagger last wrote (status.lastAppliedSpec) and a digest of the target's pod
// template. After the up, a Canary whose hash is still the marked one is
// showing the previous release; and if the template did not change either,
// the up started no release at all. Flagger's own hash (a spew dump of the Go
// struct, pkg/canary/spec.go) cannot be computed here, so the template is
// compared with itself, before and after.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ReleaseCluster } from "./cluster";
import type { CanaryRef } from "./stack-state";
import { parseJsonDocument } from "./parse-json";

export const canaryMark = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  /** Absent: the Canary did not exist, or Flagger had not written its status yet. */
  lastAppliedSpec: z.string().optional(),
  phase: z.string().optional(),
  /** sha256 of the target's spec.template as the API server returned it; absent when there was no target. */
  template: z.string().optional(),
});
export const releaseMark = z.strictObject({ takenAt: z.string(), canaries: z.array(canaryMark) });

export type CanaryMark = z.infer<typeof canaryMark>;
export type ReleaseMark = z.infer<typeof releaseMark>;

export const templateDigest = (template: string): string => createHash("sha256").update(template).digest("hex");

/** The Canary's target Deployment: spec.targetRef, or (before Flagger or the CRD defaults it) the Canary's own name. */
export const targetName = (ref: CanaryRef, targetRefName: string | undefined): string => targetRefName ?? ref.name;

export async function takeMark(canaries: readonly CanaryRef[], cluster: ReleaseCluster, now: Date): Promise<ReleaseMark> {
  const marks: CanaryMark[] = [];
  for (const ref of canaries) {
    const canary = await cluster.canary(ref.namespace, ref.name);
    if (canary === undefined) {
      continue; // created by this up: its first release is the Initialization
    }
    const template = await cluster.podTemplate(ref.namespace, targetName(ref, canary.spec?.targetRef?.name));
    marks.push({
      namespace: ref.namespace,
      name: ref.name,
      lastAppliedSpec: canary.status?.lastAppliedSpec,
      phase: canary.status?.phase,
      template: template === undefined ? undefined : templateDigest(template),
    });
  }
  return { takenAt: now.toISOString(), canaries: marks };
}

export function readMark(text: string): ReleaseMark {
  return parseJsonDocument(text, { schema: releaseMark, notJson: "the release mark is not JSON", what: "a release mark" });
}
