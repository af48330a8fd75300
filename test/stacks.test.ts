// Each committed stack file, set up the way the README tells a user to, runs
// and holds every invariant. Values a user is told to change are not checked
// here; the rules behind them are tested with fixtures (composition.test.ts).
import { describeStackInvariants } from "./helpers/invariants";
import type { StackRun } from "./helpers/stack";
import { runAsSetUp } from "./helpers/user-setup";

describe.each(["local", "dev", "prod"])("Pulumi.%s.yaml", (stack) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runAsSetUp(stack);
  });
  describeStackInvariants(stack, () => run);
});
