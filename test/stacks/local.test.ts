import { k8s } from "../helpers/manifests";
import { describeStackInvariants } from "../helpers/invariants";
import { runStack, StackRun } from "../helpers/stack";

let run: StackRun;
beforeAll(async () => {
  run = await runStack("local");
});

describeStackInvariants("local", () => run);

describe("local specifics", () => {
  it("targets the kind cluster and pushes to the local registry without credentials", () => {
    expect(run.outputs.kubeContext).toBe("kind-goapi");
    const image = run.declared.find((d) => d.type === "docker-build:index:Image");
    expect(String((image?.inputs.tags as string[])[0])).toMatch(/^localhost:5001\/goapi:/);
    expect(image?.inputs.registries).toBeUndefined();
  });

  it("builds for the machine's own platform with the host-network builder that reaches localhost:5001", () => {
    const image = run.declared.find((d) => d.type === "docker-build:index:Image");
    expect(image?.inputs.platforms).toBeUndefined();
    expect(image?.inputs.builder).toEqual({ name: "goapi-local" });
  });

  it("serves plain HTTP on a localhost name", () => {
    expect(run.outputs.url).toBe("http://goapi.localhost/");
    expect(k8s.ingress(run.declared).spec?.tls).toBeUndefined();
  });

  it("scales 1-3 with small resources and generates the token", () => {
    const hpa = k8s.hpa(run.declared).spec;
    expect([hpa?.minReplicas, hpa?.maxReplicas]).toEqual([1, 3]);
    expect(k8s.deployment(run.declared).spec?.template.spec?.containers[0]?.resources?.limits).toEqual({ cpu: "250m", memory: "64Mi", "ephemeral-storage": "64Mi" });
    expect(run.declared.some((d) => d.type === "random:index/randomPassword:RandomPassword")).toBe(true);
  });
});
