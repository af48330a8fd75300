// Turns our rules into CrossGuard policies. Resource rules run on each
// resource's inputs as the engine registers it. Stack rules also judge inputs
// (what the program asked for, not what the cluster reports back: a live
// Deployment always has spec.replicas), so they remember each resource's inputs
// as it is registered and judge them together when the engine analyzes the stack.
import type { Policies, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ResourceRule, Rule, StackRule, Subject } from "./rules";

export function subjectOf(args: ResourceValidationArgs): Subject {
  return { type: args.type, urn: args.urn, name: args.name, props: args.props, provider: args.provider?.urn, ignoreChanges: args.opts.ignoreChanges };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    validateResource: (args, reportViolation) => {
      for (const message of rule.check(subjectOf(args))) {
        reportViolation(message);
      }
    },
  };
}

function stackPolicy(rule: StackRule): ResourceValidationPolicy & StackValidationPolicy {
  const registered = new Map<string, Subject>();
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    // Records only; the verdict comes in validateStack.
    validateResource: (args) => {
      registered.set(args.urn, subjectOf(args));
    },
    validateStack: (args, reportViolation) => {
      // Every resource of this run was registered, and so recorded, first.
      const subjects = args.resources.flatMap((r) => registered.get(r.urn) ?? []);
      for (const v of rule.check(subjects)) {
        reportViolation(v.message, v.urn);
      }
    },
  };
}

export function toPolicies(rules: readonly Rule[]): Policies {
  return rules.map((rule) => (rule.scope === "resource" ? resourcePolicy(rule) : stackPolicy(rule)));
}
