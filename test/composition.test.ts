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

  it("uses the operator's token and database password and generates none", () => {
    expect(ofType(run, "random:")).toEqual([]);
    expect(k8s.secret(run.declared).stringData).toEqual({ API_TOKEN: placeholderFor("goapi:apiToken") });
  });

  it("connects to its external database as configured, and lets the API out only to its CIDR on its port", () => {
    const password = encodeURIComponent(placeholderFor("goapi:databasePassword"));
    expect(k8s.secret(run.declared, "goapi-database-url").stringData).toEqual({
      DATABASE_URL: `postgres://api_staging:${password}@10.20.30.40:6432/items?sslmode=verify-full`,
    });
    expect(k8s.networkPolicy(run.declared).spec?.egress?.[1]).toEqual({ to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ port: 6432, protocol: "TCP" }] });
    expect(ofType(run, "kubernetes:apps/v1:StatefulSet")).toEqual([]);
  });

  it("starts two pods, spreads them and budgets their disruption", () => {
    expect(k8s.deployment(run.declared).spec?.replicas).toBe(2);
    const selector = k8s.deployment(run.declared).spec?.selector.matchLabels;
    expect(k8s.deployment(run.declared).spec?.template.spec?.topologySpreadConstraints).toEqual(
      ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({ topologyKey, maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } })),
    );
    expect(k8s.pdb(run.declared).spec?.maxUnavailable).toBe(1);
  });
});

describe("a kind stack with an anonymous local registry", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(fixture("kind"));
  });
  describeStackInvariants("kind", () => run);

  it("generates the token and the database password once each, with one explicit random provider", () => {
    const generated = ofType(run, "random:index/randomPassword");
    expect(generated.map((g) => g.name).sort()).toEqual(["api-token", "database-password"]);
    for (const g of generated) {
      expect(g.provider).toMatch(/::pulumi:providers:random::random::/);
    }
    expect(ofType(run, "pulumi:providers:random")).toHaveLength(1);
    expect(k8s.secret(run.declared).stringData?.API_TOKEN).toBe(run.outputs.token);
    const password = generated.find((g) => g.name === "database-password")?.state.result;
    expect(k8s.secret(run.declared, "goapi-db").stringData?.POSTGRES_PASSWORD).toBe(password);
    expect(new URL(k8s.secret(run.declared, "goapi-database-url").stringData?.DATABASE_URL ?? "").password).toBe(password);
  });

  it("runs its database in the namespace, on the StorageClass it asks for", () => {
    expect(k8s.statefulSet(run.declared).spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("fast-ssd");
    expect(new URL(k8s.secret(run.declared, "goapi-database-url").stringData?.DATABASE_URL ?? "").host).toBe("goapi-db.goapi.svc:5432");
  });

  it("pushes without credentials and serves plain HTTP", () => {
    const image = run.declared.find((d) => d.type === "docker-build:index:Image");
    expect(image?.inputs.registries).toBeUndefined();
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

  it("needs no other provider with a prebuilt image, a configured token and an external database", () => {
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
