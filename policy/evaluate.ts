// Runs rules over a set of resources outside the engine: the unit tests'
// invariants use this on what the program declares under mocks.
import type { EnforcementLevel, Rule, Subject } from "./rules";

export interface Finding {
  rule: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
}

export function evaluate(rules: readonly Rule[], subjects: readonly Subject[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const found =
      rule.scope === "resource"
        ? subjects.flatMap((s) => rule.check(s).map((message) => ({ urn: s.urn, message })))
        : rule.check(subjects);
    findings.push(...found.map((v) => ({ rule: rule.name, enforcementLevel: rule.enforcementLevel, ...v })));
  }
  return findings;
}
