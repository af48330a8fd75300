// The checks e2e.yml runs around local:up and local:down, on the fake machine
// of the local scripts (the ones that need a live API run only in the workflow).
import { LocalWorld, machines } from "./helpers/local-world";

const machine = machines();

describe("scripts/kind-e2e/no-changes.sh", () => {
  it("previews both projects with their stack file copies, expecting no changes", () => {
    const w = machine.copy(machine.up());
    const run = w.runScript("scripts/kind-e2e/no-changes.sh");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.calls.filter((c) => c.includes(" preview "))).toEqual([
      "pulumi --cwd <repo> preview --expect-no-changes --stack local --config-file <repo>/.pulumi/stack-config/goapi/Pulumi.local.yaml",
      "pulumi --cwd <repo>/local/addons preview --expect-no-changes --stack local --config-file <repo>/.pulumi/stack-config/goapi-local-addons/Pulumi.local.yaml",
    ]);
  });

  it("stops, naming the project, when a second update would change something", () => {
    const w = machine.copy(machine.up());
    w.set("drift");
    const run = w.runScript("scripts/kind-e2e/no-changes.sh");
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "kind-e2e/no-changes.sh stopped: a second update of ./ would change something (the preview above). Next: fix the program, then scripts/kind-e2e/no-changes.sh",
    );
  });
});

describe("scripts/kind-e2e/nothing-left.sh", () => {
  const left = (w: LocalWorld) => w.runScript("scripts/kind-e2e/nothing-left.sh");

  it("passes after local:down", () => {
    const w = machine.copy(machine.up());
    expect(w.run("down").code).toBe(0);
    const run = left(w);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("nothing of the local stack is left");
    expect(run.code).toBe(0);
  });

  it("names everything local:up made that is still there", () => {
    const run = left(machine.copy(machine.up()));
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "kind-e2e/nothing-left.sh stopped: local:down left: the kind cluster goapi; the container kind-registry; the BuildKit builder goapi-local; the state folder .pulumi. Next: see local:down's output",
    );
  });

  it("names a change left in the checkout", () => {
    const w = machine.copy(machine.up());
    expect(w.run("down").code).toBe(0);
    w.editRepoFile("Pulumi.local.yaml", "config: {}\n");
    const run = left(w);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("local:down left: changes in the checkout:  M Pulumi.local.yaml");
  });
});
