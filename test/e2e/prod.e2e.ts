import { describeRealNodeChecks } from "./checks";

describeRealNodeChecks("prod", { rollouts: true });
