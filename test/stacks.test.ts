// Each committed stack file, set up the way the README tells a user to, runs
// and holds every invariant. Values a user is told to change are not checked
// here; the rules behind them are tested with fixtures (composition.test.ts).
import { readFileSync } from "node:fs";
import { stackFilePath } from "../scripts/stack-config";
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

describe.each(["local", "dev", "prod"])("Pulumi.%s.yaml as a file", (stack) => {
  // `pulumi config set` re-emits the whole file; flow maps come out as {a: 1, b: 2}.
  it("is in the style the Pulumi CLI writes, so CLI edits touch only what they change", () => {
    const text = readFileSync(stackFilePath(stack), "utf8");
    expect(text.split("\n").filter((line) => /\{ |[^{\s] \}/.test(line))).toEqual([]);
  });
});
