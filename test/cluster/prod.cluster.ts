import { describeClusterChecks } from "./checks";

describeClusterChecks("prod", { disruptionBudget: true });
