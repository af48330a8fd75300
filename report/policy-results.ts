// What the policy packs said about a preview.

export interface PolicyViolation {
  policy: string;
  pack: string;
  mandatory: boolean;
  /** Empty for a violation of the stack as a whole. */
  urn: string;
  message: string;
}

export interface PolicyResults {
  /** Packs that ran, name -> version. */
  packs: Record<string, string>;
  /** Every rule that ran on at least one resource. */
  rules: string[];
  violations: PolicyViolation[];
}
