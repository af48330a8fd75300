import { describeRealNodeChecks } from "./checks";

describeRealNodeChecks("local", { rollouts: false });
