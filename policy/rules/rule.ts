// What a rule sees and what it says. The same rule functions run in the policy
// pack (on what the engine sends) and in the unit tests (on what the program
// declares under mocks), so the two can never disagree.

/** A resource as the program asked for it: type token, URN and plain inputs. */
export interface Subject {
  /** Type token, e.g. kubernetes:apps/v1:Deployment. */
  type: string;
  urn: string;
  /** Logical name. */
  name: string;
  /** Input properties, secrets revealed. */
  props: Record<string, unknown>;
  /** URN of the provider that manages it (a default provider's if none was named); undefined for components. */
  provider?: string;
  /** Input paths the engine keeps at their old values after the first create (the ignoreChanges option). */
  ignoreChanges?: string[];
}

/** Mandatory rules fail preview and up; advisory ones warn. */
export type EnforcementLevel = "mandatory" | "advisory";

interface RuleInfo {
  /** Unique, kebab-case: shown in every violation. */
  name: string;
  /** One sentence: what the rule asks for and why. */
  description: string;
  enforcementLevel: EnforcementLevel;
}

/** Judges one resource at a time; returns one message per problem. */
export interface ResourceRule extends RuleInfo {
  scope: "resource";
  check(subject: Subject): string[];
}

export interface Violation {
  urn: string;
  message: string;
}

/** Judges the resources of a stack together, for rules about how they relate. */
export interface StackRule extends RuleInfo {
  scope: "stack";
  check(subjects: readonly Subject[]): Violation[];
}

export type Rule = ResourceRule | StackRule;
