import { describeClusterChecks } from "./checks";

describeClusterChecks("local", { disruptionBudget: false });
