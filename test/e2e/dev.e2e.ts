import { describeRealNodeChecks } from "./checks";

describeRealNodeChecks("dev", { rollouts: false });
