// The parts of a Flagger Canary (flagger.app/v1beta1, Flagger 1.36.1) that
// follow a release, as `kubectl get canary -o json` prints them; everything
// else passes through unchecked. Flagger writes the status
// (pkg/apis/flagger/v1beta1/status.go): lastAppliedSpec is its hash of the
// target's pod template as it last synced the status, lastPromotedSpec the
// hash of the template the primary runs.
import { z } from "zod";

/** The phases after which Flagger does nothing until the target's pod template changes again. */
export const terminalPhases = ["Initialized", "Succeeded", "Failed"] as const;
export type TerminalPhase = (typeof terminalPhases)[number];

export function isTerminal(phase: string): phase is TerminalPhase {
  return (terminalPhases as readonly string[]).includes(phase);
}

export const canaryObject = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  spec: z
    .looseObject({
      targetRef: z.looseObject({ kind: z.string().optional(), name: z.string() }).optional(),
      progressDeadlineSeconds: z.number().optional(),
      skipAnalysis: z.boolean().optional(),
      analysis: z
        .looseObject({
          interval: z.string().optional(),
          threshold: z.number().optional(),
          stepWeights: z.array(z.number()).optional(),
          maxWeight: z.number().optional(),
          stepWeight: z.number().optional(),
          iterations: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      canaryWeight: z.number().optional(),
      failedChecks: z.number().optional(),
      iterations: z.number().optional(),
      lastAppliedSpec: z.string().optional(),
      lastPromotedSpec: z.string().optional(),
      lastTransitionTime: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string().optional(), reason: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .optional(),
});

export type CanaryObject = z.infer<typeof canaryObject>;

/** The target Deployment's pod template, which Flagger hashes into lastAppliedSpec. */
export const targetObject = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({ template: z.unknown() }),
});

/** The condition Flagger keeps on every Canary, with the message of the phase. */
export function promotedMessage(c: CanaryObject): string | undefined {
  return c.status?.conditions?.find((x) => x.type === "Promoted")?.message;
}
