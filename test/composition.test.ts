// Rules of the composition (index.ts), each shown on a fixture stack file in
// test/fixtures rather than on the committed files a user edits.
import { placeholderFor } from "../scripts/stack-config";
import { describeStackInvariants } from "./helpers/invariants";
import { k8s } from "./helpers/manifests";
import { fixture, runStack, StackRun } from "./helpers/stack";
import { exposes, reveal } from "./helpers/values";

const ofType = (run: StackRun, prefix: string) => run.declared.filter((d) => d.type.startsWith(prefix));

describe("a stack that pushes to its own registry with credentials and sets its token", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(fixture("staging"));
  });
  describeStackInvariants("staging", () => run);

  it("hands the registry password only as a secret to whatever pushes the image", () => {
    const password = placeholderFor("goapi:registryPassword");
    const holders = run.declared.filter((d) => JSON.stringify(reveal(d.inputs)).includes(password));
    expect(holders.length).toBeGreaterThan(0);
    for (const d of holders) {
      expect({ resource: d.type, exposed: exposes(d.inputs, password) }).toEqual({ resource: d.type, exposed: false });
    }
  });

  it("uses the operator's token and generates none", () => {
    expect(ofType(run, "random:")).toEqual([]);
    expect(k8s.secret(run.declared).stringData).toEqual({ API_TOKEN: placeholderFor("goapi:apiToken") });
  });

  it("starts two pods, spreads them and budgets their disruption", () => {
    expect(k8s.deployment(run.declared).spec?.replicas).toBe(2);
    expect(k8s.deployment(run.declared).spec?.template.spec?.topologySpreadConstraints).toHaveLength(2);
    expect(k8s.pdb(run.declared).spec?.maxUnavailable).toBe(1);
  });
});

describe("a kind stack with an anonymous local registry", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(fixture("kind"));
  });
  describeStackInvariants("kind", () => run);

  it("generates the token once, with an explicit random provider", () => {
    const generated = ofType(run, "random:index/randomPassword");
    expect(generated).toHaveLength(1);
    expect(generated[0]?.provider).toMatch(/::pulumi:providers:random::/);
    expect(k8s.secret(run.declared).stringData?.API_TOKEN).toBe(run.outputs.token);
  });

  it("pushes without credentials and serves plain HTTP", () => {
    expect(run.declared.some((d) => /password/i.test(JSON.stringify(d.inputs)) && d.type !== "random:index/randomPassword:RandomPassword")).toBe(false);
    expect(run.outputs.url).toBe("http://api.localhost/");
  });
});

describe("render mode", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(fixture("render"));
  });

  it("gives the Kubernetes provider only the output directory: no context, no kubeconfig", () => {
    const provider = run.declared.find((d) => d.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs).toEqual({ renderYamlToDirectory: "/tmp/goapi-rendered" });
  });

  it("needs no other provider with a prebuilt image and a configured token", () => {
    expect(run.declared.filter((d) => d.type.startsWith("pulumi:providers:")).map((d) => d.type)).toEqual(["pulumi:providers:kubernetes"]);
    expect(k8s.deployment(run.declared).spec?.template.spec?.containers[0]?.image).toBe(
      "registry.example.test/team/goapi@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    );
  });
});

describe("stack names", () => {
  it.each(["Staging_EU", "1st", "a".repeat(33)])("refuses %s before declaring anything", async (stack) => {
    await expect(runStack(fixture("kind", stack))).rejects.toThrow(new RegExp(`stack name '${stack}': must be lower-case letters`));
  });

  it("suggests a name that works", async () => {
    await expect(runStack(fixture("kind", "Staging_EU"))).rejects.toThrow("pulumi stack rename staging-eu");
  });
});
