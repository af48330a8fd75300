import { k8s } from "../helpers/manifests";
import { describeStackInvariants } from "../helpers/invariants";
import { runStack, StackRun } from "../helpers/stack";
import { isSecretValue } from "../helpers/values";

let run: StackRun;
beforeAll(async () => {
  // What the dev stack's README asks a user to set before the first `pulumi up`.
  run = await runStack("dev", { registryUsername: "deploy-bot" }, { registryPassword: "registry-token-dev" });
});

describeStackInvariants("dev", () => run);

describe("dev specifics", () => {
  it("builds and pushes to the remote registry with secret credentials", () => {
    const image = run.declared.find((d) => d.type === "docker-build:index:Image");
    expect(String((image?.inputs.tags as string[])[0])).toMatch(/^ghcr\.io\/your-org\/goapi:/);
    expect(isSecretValue(image?.inputs.registries)).toBe(true);
  });

  it("scales 1-3 without a disruption budget", () => {
    const hpa = k8s.hpa(run.declared).spec;
    expect([hpa?.minReplicas, hpa?.maxReplicas]).toEqual([1, 3]);
    expect(run.declared.some((d) => d.type === "kubernetes:policy/v1:PodDisruptionBudget")).toBe(false);
  });
});
