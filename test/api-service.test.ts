import * as pulumi from "@pulumi/pulumi";
import { ApiService, ApiServiceArgs } from "../components/api-service";
import { Declared, installMocks, settle } from "./helpers/mocks";
import { count, k8s, nameOf, schemaProblems } from "./helpers/manifests";
import { containsSecret, isSecretValue, raw } from "./helpers/values";

const image = `localhost:5001/goapi@sha256:${"b".repeat(64)}`;
const token = "component-test-token-0123";

const baseArgs: ApiServiceArgs = {
  image,
  namespace: "goapi",
  createNamespace: true,
  appEnv: "test",
  app: { logLevel: "info", drainDelaySeconds: 5, shutdownTimeoutSeconds: 15, maxBodyBytes: 1048576, env: { FEATURE_X: "on" } },
  apiToken: pulumi.secret(token),
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
  autoscaling: { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 },
  ingress: { className: "traefik", host: "goapi.localhost", path: "/", controllerNamespace: "traefik" },
  metricsNamespace: "monitoring",
};

interface Options {
  ignoreChanges?: string[];
  retainOnDelete?: boolean;
}

async function declare(change: Partial<ApiServiceArgs> = {}): Promise<{ declared: Declared[]; api: ApiService; options: Map<string, Options> }> {
  const declared = await installMocks("test");
  // Resource options never reach the mocks; a transformation sees them.
  const options = new Map<string, Options>();
  const record: pulumi.ResourceTransformation = ({ type, opts }) => {
    options.set(type, { ignoreChanges: opts.ignoreChanges, retainOnDelete: opts.retainOnDelete });
    return undefined;
  };
  const api = new ApiService("goapi", { ...baseArgs, ...change }, { transformations: [record] });
  await settle();
  return { declared, api, options };
}

describe("ApiService", () => {
  let d: Declared[];
  let options: Map<string, Options>;
  beforeAll(async () => {
    ({ declared: d, options } = await declare());
  });

  it("declares only objects that pass the Kubernetes OpenAPI schema", () => {
    expect(schemaProblems(d)).toEqual([]);
  });

  it("creates the namespace enforcing Pod Security restricted, and never deletes it", () => {
    const labels = k8s.namespace(d).metadata?.labels;
    expect(k8s.namespace(d).metadata?.name).toBe("goapi");
    expect(labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(options.get("kubernetes:core/v1:Namespace")?.retainOnDelete).toBe(true);
  });

  it("runs the pods as a fixed non-root user with nothing to escalate", () => {
    const pod = k8s.deployment(d).spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(k8s.serviceAccount(d).automountServiceAccountToken).toBe(false);
    expect(pod?.serviceAccountName).toBe(k8s.serviceAccount(d).metadata?.name);
  });

  it("deploys the image by digest", () => {
    expect(k8s.deployment(d).spec?.template.spec?.containers[0]?.image).toBe(image);
  });

  it("probes startup, liveness and readiness on distinct endpoints of the API port", () => {
    const c = k8s.deployment(d).spec?.template.spec?.containers[0];
    const probes = [c?.startupProbe, c?.livenessProbe, c?.readinessProbe];
    expect(probes.map((p) => p?.httpGet?.path)).toEqual(["/startupz", "/healthz", "/readyz"]);
    expect(probes.map((p) => p?.httpGet?.port)).toEqual(["http", "http", "http"]);
    expect(c?.ports?.find((p) => p.name === "http")?.containerPort).toBe(8080);
  });

  it("takes a draining pod out of the Service within the drain delay", () => {
    const readiness = k8s.deployment(d).spec?.template.spec?.containers[0]?.readinessProbe;
    expect((readiness?.periodSeconds ?? NaN) * (readiness?.failureThreshold ?? NaN)).toBeLessThanOrEqual(baseArgs.app.drainDelaySeconds);
    expect(readiness?.timeoutSeconds).toBeLessThanOrEqual(readiness?.periodSeconds ?? 0);
  });

  it("sets requests and limits, ephemeral storage included", () => {
    expect(k8s.deployment(d).spec?.template.spec?.containers[0]?.resources).toEqual({
      requests: { ...baseArgs.resources.requests, "ephemeral-storage": "16Mi" },
      limits: { ...baseArgs.resources.limits, "ephemeral-storage": "64Mi" },
    });
  });

  it("rolls out without going below the desired count, starting at the minimum and then leaving the count to the HPA", () => {
    const spec = k8s.deployment(d).spec;
    expect(spec?.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec?.replicas).toBe(baseArgs.autoscaling.minReplicas);
    expect(options.get("kubernetes:apps/v1:Deployment")?.ignoreChanges).toEqual(["spec.replicas"]);
  });

  it("gives the pod a grace period longer than drain plus shutdown", () => {
    expect(k8s.deployment(d).spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThan(5 + 15);
  });

  it("uses one selector for pods, Service, HPA target, PDB and NetworkPolicy", () => {
    const dep = k8s.deployment(d);
    const selector = dep.spec?.selector.matchLabels;
    expect(selector).toEqual({ "app.kubernetes.io/name": "goapi", "app.kubernetes.io/instance": "goapi-test" });
    expect(dep.spec?.template.metadata?.labels).toMatchObject(selector ?? {});
    expect(k8s.service(d).spec?.selector).toEqual(selector);
    expect(k8s.networkPolicy(d).spec?.podSelector.matchLabels).toEqual(selector);
    expect(dep.metadata?.labels).toMatchObject({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "goapi" });
  });

  it("takes plain settings from the ConfigMap and the token from the Secret, both auto-named and immutable", () => {
    const container = k8s.deployment(d).spec?.template.spec?.containers[0];
    const configMap = nameOf(d, "kubernetes:core/v1:ConfigMap");
    const secret = nameOf(d, "kubernetes:core/v1:Secret");
    expect([configMap, secret]).toEqual([expect.stringMatching(/^goapi-[0-9a-f]{8}$/), expect.stringMatching(/^goapi-[0-9a-f]{8}$/)]);
    expect([k8s.configMap(d).metadata?.name, k8s.secret(d).metadata?.name]).toEqual([undefined, undefined]);
    expect([k8s.configMap(d).immutable, k8s.secret(d).immutable]).toEqual([true, true]);
    expect(container?.envFrom).toEqual([{ configMapRef: { name: configMap } }]);
    expect(container?.env).toEqual([{ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: secret, key: "API_TOKEN" } } }]);
    expect(k8s.configMap(d).data).toEqual({
      FEATURE_X: "on",
      APP_ENV: "test",
      LOG_LEVEL: "info",
      PORT: "8080",
      METRICS_PORT: "9090",
      DRAIN_DELAY: "5s",
      SHUTDOWN_TIMEOUT: "15s",
      MAX_BODY_BYTES: "1048576",
    });
  });

  it("keeps the token secret and out of the ConfigMap", () => {
    expect(isSecretValue(raw(d, "kubernetes:core/v1:Secret").stringData)).toBe(true);
    expect(k8s.secret(d).stringData).toEqual({ API_TOKEN: token });
    expect(JSON.stringify(k8s.configMap(d))).not.toContain(token);
    expect(containsSecret(raw(d, "kubernetes:core/v1:ConfigMap"))).toBe(false);
    // Nothing derived from the token either: the pod template stays readable in diffs.
    expect(containsSecret(raw(d, "kubernetes:apps/v1:Deployment"))).toBe(false);
    expect(JSON.stringify(k8s.deployment(d))).not.toContain(token);
    expect(k8s.deployment(d).spec?.template.metadata?.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "9090" });
  });

  it("keeps a token given as plain text secret too", async () => {
    const { declared } = await declare({ apiToken: "a-plain-text-token-0123" });
    expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret").stringData)).toBe(true);
  });

  it("exposes the API port on a ClusterIP Service and routes the Ingress to it", () => {
    const svc = k8s.service(d);
    expect(svc.spec?.type).toBe("ClusterIP");
    expect(svc.spec?.ports).toContainEqual({ name: "http", port: 80, targetPort: "http", protocol: "TCP" });
    const ing = k8s.ingress(d);
    expect(ing.spec?.ingressClassName).toBe("traefik");
    const path = ing.spec?.rules?.[0]?.http?.paths[0];
    expect(ing.spec?.rules?.[0]?.host).toBe("goapi.localhost");
    expect(path?.backend.service).toEqual({ name: svc.metadata?.name, port: { name: "http" } });
    expect(ing.spec?.tls).toBeUndefined();
  });

  it("autoscales the Deployment on CPU within the bounds", () => {
    const hpa = k8s.hpa(d);
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: k8s.deployment(d).metadata?.name });
    expect(hpa.spec?.minReplicas).toBe(1);
    expect(hpa.spec?.maxReplicas).toBe(3);
    expect(hpa.spec?.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
  });

  it("lets only the ingress controller reach the API port, only monitoring the metrics port, and nothing out", () => {
    const np = k8s.networkPolicy(d);
    expect(np.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec?.egress).toEqual([]);
    expect(np.spec?.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }], ports: [{ port: "http", protocol: "TCP" }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: "metrics", protocol: "TCP" }] },
    ]);
  });

  it("has no disruption budget for a single minimum replica but spreads when it can scale out", () => {
    expect(count(d, "kubernetes:policy/v1:PodDisruptionBudget")).toBe(0);
    expect(k8s.deployment(d).spec?.template.spec?.topologySpreadConstraints?.map((t) => t.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
  });

  it("declares nine objects when the minimum is one replica", () => {
    expect(d.filter((x) => x.type.startsWith("kubernetes:")).length).toBe(9);
  });
});

describe("ApiService variants", () => {
  it("adds a PDB and a memory target when the minimum is above one", async () => {
    const { declared } = await declare({ autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 65, memoryUtilization: 80 } });
    expect(k8s.pdb(declared).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: k8s.deployment(declared).spec?.selector.matchLabels } });
    expect(k8s.hpa(declared).spec?.metrics).toHaveLength(2);
  });

  it("does not spread a single pod", async () => {
    const { declared } = await declare({ autoscaling: { minReplicas: 1, maxReplicas: 1, cpuUtilization: 70 } });
    expect(k8s.deployment(declared).spec?.template.spec?.topologySpreadConstraints).toBeUndefined();
  });

  it("terminates TLS with a cert-manager issuer", async () => {
    const { declared, api } = await declare({ ingress: { ...baseArgs.ingress, host: "api.example.com", tls: { clusterIssuer: "letsencrypt" } } });
    const ing = k8s.ingress(declared);
    expect(ing.metadata?.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(ing.spec?.tls).toEqual([{ hosts: ["api.example.com"], secretName: "goapi-tls" }]);
    expect(api.url).toBe("https://api.example.com/");
  });

  it("uses an existing namespace without creating it", async () => {
    const { declared } = await declare({ createNamespace: false, namespace: "shared" });
    expect(count(declared, "kubernetes:core/v1:Namespace")).toBe(0);
    expect(k8s.deployment(declared).metadata?.namespace).toBe("shared");
  });

  it("rolls the pods when config or token change, through a new ConfigMap or Secret", async () => {
    // The mocks name auto-named objects after their content, as a replacement gets a new name.
    const references = async (change: Partial<ApiServiceArgs>) => {
      const c = k8s.deployment((await declare(change)).declared).spec?.template.spec?.containers[0];
      return { config: c?.envFrom?.[0]?.configMapRef?.name, secret: c?.env?.[0]?.valueFrom?.secretKeyRef?.name };
    };
    const base = await references({});
    expect(await references({})).toEqual(base);
    const logLevel = await references({ app: { ...baseArgs.app, logLevel: "debug" } });
    expect([logLevel.config === base.config, logLevel.secret]).toEqual([false, base.secret]);
    const token = await references({ apiToken: pulumi.secret("another-token-0123456") });
    expect([token.config, token.secret === base.secret]).toEqual([base.config, false]);
    expect(await references({ image: `localhost:5001/goapi@sha256:${"c".repeat(64)}` })).toEqual(base);
  });
});
