import { k8s } from "../helpers/manifests";
import { describeStackInvariants } from "../helpers/invariants";
import { runStack, StackRun } from "../helpers/stack";

let run: StackRun;
beforeAll(async () => {
  run = await runStack("prod", { registryUsername: "deploy-bot" }, { registryPassword: "registry-token-prod", apiToken: "a-prod-token-set-by-the-operator" });
});

describeStackInvariants("prod", () => run);

describe("prod specifics", () => {
  it("scales 2-10 on CPU and memory behind a disruption budget", () => {
    const hpa = k8s.hpa(run.declared).spec;
    expect([hpa?.minReplicas, hpa?.maxReplicas]).toEqual([2, 10]);
    expect(hpa?.metrics?.map((m) => m.resource?.name)).toEqual(["cpu", "memory"]);
    expect(k8s.pdb(run.declared).spec?.maxUnavailable).toBe(1);
    expect(k8s.deployment(run.declared).spec?.template.spec?.topologySpreadConstraints).toHaveLength(2);
  });

  it("terminates TLS with cert-manager", () => {
    const ing = k8s.ingress(run.declared);
    expect(ing.spec?.tls).toEqual([{ hosts: ["goapi.example.com"], secretName: "goapi-tls" }]);
    expect(ing.metadata?.annotations?.["cert-manager.io/cluster-issuer"]).toBe("letsencrypt");
    expect(run.outputs.url).toBe("https://goapi.example.com/");
  });

  it("uses larger resources than dev's defaults", () => {
    expect(k8s.deployment(run.declared).spec?.template.spec?.containers[0]?.resources).toEqual({
      requests: { cpu: "200m", memory: "64Mi", "ephemeral-storage": "16Mi" },
      limits: { cpu: "1", memory: "256Mi", "ephemeral-storage": "64Mi" },
    });
  });

  it("uses the operator's token instead of generating one", () => {
    expect(run.declared.some((d) => d.type === "random:index/randomPassword:RandomPassword")).toBe(false);
    expect(k8s.secret(run.declared).stringData).toEqual({ API_TOKEN: "a-prod-token-set-by-the-operator" });
  });
});
