import * as pulumi from "@pulumi/pulumi";
import { ApiService, ApiServiceArgs } from "../components/api-service";
import { Declared, installMocks, settle } from "./helpers/mocks";
import { count, k8s, schemaProblems } from "./helpers/manifests";
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

async function declare(change: Partial<ApiServiceArgs> = {}): Promise<{ declared: Declared[]; api: ApiService }> {
  const declared = await installMocks("test");
  const api = new ApiService("goapi", { ...baseArgs, ...change });
  await settle();
  return { declared, api };
}

describe("ApiService", () => {
  let d: Declared[];
  beforeAll(async () => {
    ({ declared: d } = await declare());
  });

  it("declares only objects that pass the Kubernetes OpenAPI schema", () => {
    expect(schemaProblems(d)).toEqual([]);
  });

  it("creates the namespace enforcing Pod Security restricted", () => {
    const labels = k8s.namespace(d).metadata?.labels;
    expect(k8s.namespace(d).metadata?.name).toBe("goapi");
    expect(labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
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

  it("probes startup, liveness and readiness on distinct endpoints", () => {
    const c = k8s.deployment(d).spec?.template.spec?.containers[0];
    const paths = [c?.startupProbe?.httpGet?.path, c?.livenessProbe?.httpGet?.path, c?.readinessProbe?.httpGet?.path];
    expect(paths).toEqual(["/startupz", "/healthz", "/readyz"]);
  });

  it("sets requests and limits, ephemeral storage included", () => {
    expect(k8s.deployment(d).spec?.template.spec?.containers[0]?.resources).toEqual({
      requests: { ...baseArgs.resources.requests, "ephemeral-storage": "16Mi" },
      limits: { ...baseArgs.resources.limits, "ephemeral-storage": "64Mi" },
    });
  });

  it("rolls out without going below the desired count and leaves the count to the HPA", () => {
    const spec = k8s.deployment(d).spec;
    expect(spec?.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec).not.toHaveProperty("replicas");
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

  it("takes plain settings from the ConfigMap and the token from the Secret", () => {
    const container = k8s.deployment(d).spec?.template.spec?.containers[0];
    expect(container?.envFrom).toEqual([{ configMapRef: { name: k8s.configMap(d).metadata?.name } }]);
    expect(container?.env).toEqual([{ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: k8s.secret(d).metadata?.name, key: "API_TOKEN" } } }]);
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
    // The checksum annotation is a digest, so the pod template stays readable in diffs.
    expect(containsSecret(raw(d, "kubernetes:apps/v1:Deployment"))).toBe(false);
    expect(JSON.stringify(k8s.deployment(d))).not.toContain(token);
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

  it("rolls the pods when config or token change, and only then", async () => {
    const checksum = async (change: Partial<ApiServiceArgs>) =>
      k8s.deployment((await declare(change)).declared).spec?.template.metadata?.annotations?.["goapi.dev/config-checksum"];
    const base = await checksum({});
    expect(base).toMatch(/^[a-f0-9]{64}$/);
    expect(await checksum({})).toBe(base);
    expect(await checksum({ app: { ...baseArgs.app, logLevel: "debug" } })).not.toBe(base);
    expect(await checksum({ apiToken: pulumi.secret("another-token-0123456") })).not.toBe(base);
    expect(await checksum({ image: `localhost:5001/goapi@sha256:${"c".repeat(64)}` })).toBe(base);
  });
});
