import { describeClusterChecks } from "./checks";

describeClusterChecks("dev", { disruptionBudget: false });
