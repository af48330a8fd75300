import { describeClusterChecks } from "./checks";

// These checks follow a rollout through our own Service and its endpoints; in
// a canary Flagger generates the Services (no Flagger runs here), so prod's
// objects roll out here as a rolling stack, and delivery.cluster.ts applies
// its canary objects.
describeClusterChecks("prod", { disruptionBudget: true, overrides: { delivery: { strategy: "rolling" } } });
