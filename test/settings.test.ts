import * as pulumi from "@pulumi/pulumi";
import { loadSettings, SettingsError } from "../components/settings";

// The smallest valid stack: a kind context, a local registry, a host.
const minimal = {
  kubeContext: "kind-goapi",
  image: JSON.stringify({ registry: "localhost:5001" }),
  ingress: JSON.stringify({ host: "goapi.localhost" }),
};

function problemsOf(stack: string, raw: Record<string, string>): string[] {
  try {
    loadSettings(stack, raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
  }
  throw new Error("configuration was accepted");
}

const json = (v: unknown) => JSON.stringify(v);

describe("loadSettings", () => {
  it("applies the documented defaults", () => {
    const s = loadSettings("local", minimal);
    expect(s.namespace).toBe("goapi");
    expect(s.createNamespace).toBe(true);
    expect(s.image).toEqual({ kind: "build", registry: "localhost:5001", repository: "goapi", tag: "git", platforms: ["linux/amd64"], cache: true, builder: undefined });
    expect(s.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 });
    expect(s.resources).toEqual({ requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } });
    expect(s.ingress).toEqual({ className: "traefik", host: "goapi.localhost", path: "/", controllerNamespace: "traefik" });
    expect(s.app).toEqual({ logLevel: "info", drainDelaySeconds: 5, shutdownTimeoutSeconds: 15, maxBodyBytes: 1048576, env: {} });
    expect(s.apiToken).toBeUndefined();
  });

  it("takes a multi-platform build, the builder's own platform, a named builder and no cache", () => {
    const image = (v: unknown) => loadSettings("local", { ...minimal, image: json({ registry: "localhost:5001", ...(v as object) }) }).image;
    expect(image({ platforms: ["linux/amd64", "linux/arm64"] })).toMatchObject({ platforms: ["linux/amd64", "linux/arm64"] });
    expect(image({ platforms: "native", builder: "goapi-local", cache: false })).toMatchObject({ platforms: "native", builder: "goapi-local", cache: false });
  });

  it("treats the empty defaults of Pulumi.yaml as unset", () => {
    const s = loadSettings("local", { ...minimal, kubeconfig: "", registryUsername: "", renderYamlTo: "" });
    expect(s.kubeconfig).toBeUndefined();
    expect(s.registryUsername).toBeUndefined();
    expect(s.renderYamlTo).toBeUndefined();
  });

  it("returns secrets as secret outputs", async () => {
    const s = loadSettings("dev", {
      ...minimal,
      image: json({ registry: "ghcr.io/acme" }),
      registryUsername: "bot",
      registryPassword: "registry-password",
      apiToken: "a-long-enough-api-token",
    });
    expect(s.apiToken && (await pulumi.isSecret(s.apiToken))).toBe(true);
    expect(s.registryPassword && (await pulumi.isSecret(s.registryPassword))).toBe(true);
    expect(JSON.stringify(s)).not.toContain("a-long-enough-api-token");
  });

  it("deploys a prebuilt digest without a registry", () => {
    const ref = `ghcr.io/acme/goapi@sha256:${"a".repeat(64)}`;
    const s = loadSettings("prod", { ...minimal, image: json({ ref }), ingress: json({ host: "api.example.com", tls: { secretName: "api-tls" } }) });
    expect(s.image).toEqual({ kind: "prebuilt", ref });
  });

  it("reports every bad key at once, each with its path", () => {
    const problems = problemsOf("local", {
      kubeContext: "kind-goapi",
      namespace: "Bad_Namespace",
      image: json({ registry: "localhost:5001" }),
      autoscaling: json({ minReplicas: -1 }),
      ingress: json({ host: "not a host" }),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^goapi:namespace: must be a DNS-1123 label/),
      expect.stringMatching(/^goapi:autoscaling\.minReplicas: .*>=1/),
      expect.stringMatching(/^goapi:ingress\.host: must be a lower-case DNS host name/),
    ]);
  });

  it.each([
    ["a missing kube context", { kubeContext: undefined }, "goapi:kubeContext: is required"],
    ["negative replicas", { autoscaling: json({ minReplicas: -2 }) }, "goapi:autoscaling.minReplicas:"],
    ["fractional replicas", { autoscaling: json({ maxReplicas: 2.5 }) }, "goapi:autoscaling.maxReplicas:"],
    ["min above max", { autoscaling: json({ minReplicas: 5, maxReplicas: 2 }) }, "goapi:autoscaling.minReplicas: (5) must not exceed maxReplicas (2)"],
    ["a utilization above 100", { autoscaling: json({ cpuUtilization: 150 }) }, "goapi:autoscaling.cpuUtilization:"],
    ["a bad host", { ingress: json({ host: "API.Example.com" }) }, "goapi:ingress.host: must be a lower-case DNS host name"],
    ["a wildcard host", { ingress: json({ host: "*.example.com" }) }, "goapi:ingress.host:"],
    ["a path without slash", { ingress: json({ host: "a.b", path: "api" }) }, "goapi:ingress.path: must start with /"],
    ["an empty TLS block", { ingress: json({ host: "a.b", tls: {} }) }, "goapi:ingress.tls: needs secretName"],
    ["a CPU that is not a quantity", { resources: json({ requests: { cpu: "half" } }) }, "goapi:resources.requests.cpu: is not a Kubernetes quantity"],
    ["a memory that is not a quantity", { resources: json({ limits: { memory: "128MB" } }) }, "goapi:resources.limits.memory: is not a Kubernetes quantity"],
    ["a request above its limit", { resources: json({ requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }) }, "goapi:resources.requests.memory: (1Gi) must not exceed the limit (512Mi)"],
    ["a bad registry", { image: json({ registry: "https://ghcr.io" }) }, "goapi:image.registry: must be a registry address"],
    ["no registry and no ref", { image: json({}) }, "goapi:image.registry: is required unless image.ref"],
    ["a ref without digest", { image: json({ ref: "ghcr.io/acme/goapi:1.0" }) }, "goapi:image.ref: must pin a digest"],
    ["a bad platform", { image: json({ registry: "localhost:5001", platforms: ["windows/amd64"] }) }, "goapi:image.platforms: must be a list of linux/amd64, linux/arm64, or native"],
    ["a platform given as a word", { image: json({ registry: "localhost:5001", platforms: "linux/amd64" }) }, "goapi:image.platforms: must be a list of linux/amd64, linux/arm64, or native"],
    ["no platform", { image: json({ registry: "localhost:5001", platforms: [] }) }, "goapi:image.platforms: must list at least one platform, or be native"],
    ["a platform twice", { image: json({ registry: "localhost:5001", platforms: ["linux/arm64", "linux/arm64"] }) }, "goapi:image.platforms: lists a platform twice"],
    ["the old single platform key", { image: json({ registry: "localhost:5001", platform: "linux/amd64" }) }, "goapi:image.platform: is not a setting of this program"],
    ["a tag that is the cache's", { image: json({ registry: "localhost:5001", tag: "buildcache" }) }, 'goapi:image.tag: "buildcache" is the build cache\'s tag'],
    ["a bad builder name", { image: json({ registry: "localhost:5001", builder: "my builder" }) }, "goapi:image.builder: must be the name of a buildx builder"],
    ["a bad tag", { image: json({ registry: "localhost:5001", tag: "-v1" }) }, "goapi:image.tag:"],
    ["a push registry without credentials", { image: json({ registry: "ghcr.io/acme" }) }, "goapi:registryUsername: is required to push to ghcr.io/acme"],
    ["a password without user", { registryPassword: "pw" }, "goapi:registryUsername: goes with the other registry credential"],
    ["a short API token", { apiToken: "short" }, "goapi:apiToken: must be at least 16 characters long"],
    ["a bad log level", { app: json({ logLevel: "verbose" }) }, "goapi:app.logLevel:"],
    ["drain + shutdown too long", { app: json({ drainDelaySeconds: 10, shutdownTimeoutSeconds: 20 }) }, "goapi:app.shutdownTimeoutSeconds: drainDelaySeconds + shutdownTimeoutSeconds must stay below 30"],
    ["an env var the program owns", { app: json({ env: { API_TOKEN: "x" } }) }, "goapi:app.env.API_TOKEN: is set by the program"],
    ["a lower-case env name", { app: json({ env: { feature: "on" } }) }, "goapi:app.env.feature: must be an upper-case variable name"],
    ["an unknown key", { replicas: "3" }, "goapi:replicas: is not a setting of this program (a typo?)"],
    ["an unknown nested key", { autoscaling: json({ minReplica: 2 }) }, "goapi:autoscaling.minReplica: is not a setting of this program (a typo?)"],
    ["a boolean that is not one", { createNamespace: "yes" }, "goapi:createNamespace:"],
    ["a bad metrics namespace", { metricsNamespace: "Monitoring!" }, "goapi:metricsNamespace: must be a namespace name"],
    ["a bad TLS Secret name", { ingress: json({ host: "a.b", tls: { secretName: "TLS_Secret" } }) }, "goapi:ingress.tls.secretName: must be a Secret name"],
    ["a bad cluster issuer", { ingress: json({ host: "a.b", tls: { clusterIssuer: "Lets Encrypt" } }) }, "goapi:ingress.tls.clusterIssuer: must be a cert-manager ClusterIssuer name"],
    ["a drain shorter than the readiness probe needs", { app: json({ drainDelaySeconds: 1 }) }, "goapi:app.drainDelaySeconds: must be at least 2: the readiness probe needs that long"],
  ])("refuses %s", (_what, change, message) => {
    const raw: Record<string, string | undefined> = { ...minimal, ...change };
    const defined = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined));
    expect(problemsOf("local", defined)).toContainEqual(expect.stringContaining(message));
  });

  it.each(["prod", "prod-eu"])("refuses the production stack %s without TLS", (stack) => {
    expect(problemsOf(stack, minimal)).toContainEqual(`goapi:ingress.tls: is required on the ${stack} stack: set secretName or clusterIssuer`);
  });

  it.each(["production", "preprod", "dev"])("does not hold %s to production rules", (stack) => {
    expect(() => loadSettings(stack, minimal)).not.toThrow();
  });

  it("names a bad stack name along with the bad keys", () => {
    expect(problemsOf("Prod_EU", { ...minimal, namespace: "Bad" })).toEqual([
      expect.stringMatching(/^stack name 'Prod_EU': must be lower-case letters.*pulumi stack rename prod-eu$/),
      expect.stringMatching(/^goapi:namespace:/),
    ]);
  });

  it("never echoes a secret in a message", () => {
    const problems = problemsOf("local", { ...minimal, apiToken: "hunter2", registryPassword: "pw-hunter3" });
    expect(problems.join("\n")).not.toMatch(/hunter/);
  });
});
