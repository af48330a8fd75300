import * as pulumi from "@pulumi/pulumi";
import type { ApiService, ApiServiceArgs } from "../components/api-service";
import { apiPort, metricsPort } from "../components/app-contract";
import type { ExternalDatabase } from "../components/database";
import { DeclaredApiService, declareApiService } from "./helpers/api-service";
import type { Declared } from "./helpers/mocks";
import { count, k8s, nameOf, schemaProblems } from "./helpers/manifests";
import { OptionsRecorder } from "./helpers/options";
import { containsSecret, exposes, isSecretValue, one, raw } from "./helpers/values";

const image = `localhost:5001/goapi@sha256:${"b".repeat(64)}`;
const token = "component-test-token-0123";
// URL-special characters, to see them percent-encoded in DATABASE_URL.
const dbPassword = "pa:ss@w/rd?#1";
const external: ExternalDatabase = {
  kind: "external",
  host: "db.example.test",
  port: 5432,
  name: "goapi",
  user: "goapi",
  sslmode: "verify-full",
  cidrs: ["10.20.0.0/16"],
};

const dns = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};

const baseArgs: ApiServiceArgs = {
  image,
  namespace: "goapi",
  createNamespace: true,
  appEnv: "test",
  app: { logLevel: "info", drainDelaySeconds: 5, shutdownTimeoutSeconds: 15, maxBodyBytes: 1048576, env: { FEATURE_X: "on" } },
  apiToken: pulumi.secret(token),
  database: { placement: external, maxConns: 7, statementTimeoutMilliseconds: 2500, password: pulumi.secret(dbPassword) },
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
  autoscaling: { minReplicas: 1, maxReplicas: 3, metric: "cpu", cpuUtilization: 70 },
  delivery: { strategy: "rolling" },
  prometheusUrl: "http://prometheus.monitoring.svc:9090",
  ingress: { className: "traefik", host: "goapi.localhost", path: "/", controllerNamespace: "traefik" },
  metricsNamespace: "monitoring",
};

const declare = (change: Partial<ApiServiceArgs> = {}): Promise<DeclaredApiService> => declareApiService({ ...baseArgs, ...change });

describe("ApiService", () => {
  let d: Declared[];
  let options: OptionsRecorder;
  let api: ApiService;
  beforeAll(async () => {
    ({ declared: d, options, api } = await declare());
  });

  it("declares only objects that pass the Kubernetes OpenAPI schema", () => {
    expect(schemaProblems(d)).toEqual([]);
  });

  it("creates the namespace enforcing Pod Security restricted, and never deletes it", () => {
    expect(k8s.namespace(d).metadata?.name).toBe("goapi");
    // Enforced at the newest policy version the cluster knows, and a warning and an audit entry for any other workload.
    expect(k8s.namespace(d).metadata?.labels).toEqual({
      ...k8s.deployment(d).metadata?.labels,
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
    expect(options.of("kubernetes:core/v1:Namespace goapi").retainOnDelete).toBe(true);
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
    // No variables for every Service in the namespace (GOAPI_PORT=tcp://...): the app reads only its own.
    expect(pod?.enableServiceLinks).toBe(false);
  });

  it("names the API container and its ports as the Service, the probes and the ServiceMonitor call them", () => {
    const pod = k8s.deployment(d).spec?.template.spec;
    expect(pod?.containers.map((c) => c.name)).toEqual(["api"]);
    expect(pod?.containers[0]?.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ["http", apiPort],
      ["metrics", metricsPort],
    ]);
    expect(k8s.service(d).spec?.ports?.map((p) => p.targetPort)).toEqual(expect.arrayContaining(["http"]));
  });

  it("deploys the image by digest", () => {
    expect(k8s.deployment(d).spec?.template.spec?.containers[0]?.image).toBe(image);
  });

  it("puts a crashed server's last log line in the container's termination message", () => {
    expect(k8s.deployment(d).spec?.template.spec?.containers[0]?.terminationMessagePolicy).toBe("FallbackToLogsOnError");
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
    expect(options.of("kubernetes:apps/v1:Deployment goapi").ignoreChanges).toEqual(["spec.replicas"]);
  });

  it("tells kube-score which of its checks do not apply, a single pod's disruption budget among them", () => {
    expect(k8s.deployment(d).metadata?.annotations).toEqual({
      "kube-score/ignore":
        "container-image-pull-policy,deployment-has-host-podantiaffinity,deployment-targeted-by-hpa-does-not-have-replicas-configured,deployment-has-poddisruptionbudget",
    });
    expect(k8s.hpa(d).metadata?.annotations).toEqual({ "kube-score/ignore": "horizontalpodautoscaler-replicas" });
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
    expect(dep.metadata?.labels).toEqual({
      ...selector,
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "goapi",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it("takes plain settings from the ConfigMap, the token and DATABASE_URL each from a Secret, all auto-named and immutable", () => {
    const container = k8s.deployment(d).spec?.template.spec?.containers[0];
    const configMap = nameOf(d, "kubernetes:core/v1:ConfigMap");
    const secret = nameOf(d, "kubernetes:core/v1:Secret", "goapi");
    const databaseSecret = nameOf(d, "kubernetes:core/v1:Secret", "goapi-database-url");
    expect([configMap, secret, databaseSecret]).toEqual([
      expect.stringMatching(/^goapi-[0-9a-f]{8}$/),
      expect.stringMatching(/^goapi-[0-9a-f]{8}$/),
      expect.stringMatching(/^goapi-database-url-[0-9a-f]{8}$/),
    ]);
    const objects = [k8s.configMap(d), k8s.secret(d), k8s.secret(d, "goapi-database-url")];
    expect(objects.map((o) => o.metadata?.name)).toEqual([undefined, undefined, undefined]);
    expect(objects.map((o) => o.immutable)).toEqual([true, true, true]);
    // Beside the pods that read them, labelled as the API's.
    expect(objects.map((o) => o.metadata?.namespace)).toEqual(["goapi", "goapi", "goapi"]);
    expect(objects.map((o) => o.metadata?.labels)).toEqual(Array(3).fill(k8s.deployment(d).metadata?.labels));
    expect([k8s.secret(d).type, k8s.secret(d, "goapi-database-url").type]).toEqual(["Opaque", "Opaque"]);
    expect(container?.envFrom).toEqual([{ configMapRef: { name: configMap } }]);
    expect(container?.env).toEqual([
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: secret, key: "API_TOKEN" } } },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: databaseSecret, key: "DATABASE_URL" } } },
    ]);
    expect(k8s.configMap(d).data).toEqual({
      FEATURE_X: "on",
      APP_ENV: "test",
      LOG_LEVEL: "info",
      PORT: "8080",
      METRICS_PORT: "9090",
      DRAIN_DELAY: "5s",
      SHUTDOWN_TIMEOUT: "15s",
      MAX_BODY_BYTES: "1048576",
      DB_MAX_CONNS: "7",
      DB_STATEMENT_TIMEOUT: "2500ms",
    });
  });

  it("keeps the token and the database password secret and out of the ConfigMap", () => {
    expect(isSecretValue(raw(d, "kubernetes:core/v1:Secret", "goapi").stringData)).toBe(true);
    expect(k8s.secret(d).stringData).toEqual({ API_TOKEN: token });
    expect(isSecretValue(raw(d, "kubernetes:core/v1:Secret", "goapi-database-url").stringData)).toBe(true);
    for (const x of d) {
      expect({ resource: `${x.type} ${x.name}`, exposed: exposes(x.inputs, dbPassword) || exposes(x.inputs, encodeURIComponent(dbPassword)) }).toEqual({
        resource: `${x.type} ${x.name}`,
        exposed: false,
      });
    }
    expect(JSON.stringify(k8s.configMap(d))).not.toContain(token);
    expect(containsSecret(raw(d, "kubernetes:core/v1:ConfigMap"))).toBe(false);
    // Nothing derived from the token either: the pod template stays readable in diffs.
    expect(containsSecret(raw(d, "kubernetes:apps/v1:Deployment"))).toBe(false);
    expect(JSON.stringify(k8s.deployment(d))).not.toContain(token);
    expect(k8s.deployment(d).spec?.template.metadata?.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "9090" });
  });

  it("keeps a token and a database password given as plain text secret too", async () => {
    const { declared } = await declare({ apiToken: "a-plain-text-token-0123", database: { ...baseArgs.database, password: "plain-password" } });
    expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret", "goapi").stringData)).toBe(true);
    expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret", "goapi-database-url").stringData)).toBe(true);
  });

  it("connects to the external database with its user, percent-encoded password, host, port, name and sslmode", () => {
    expect(k8s.secret(d, "goapi-database-url").stringData).toEqual({
      DATABASE_URL: `postgres://goapi:${encodeURIComponent(dbPassword)}@db.example.test:5432/goapi?sslmode=verify-full`,
    });
    const url = new URL(k8s.secret(d, "goapi-database-url").stringData?.DATABASE_URL ?? "");
    expect(decodeURIComponent(url.password)).toBe(dbPassword);
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
    expect(api.url).toBe("http://goapi.localhost/");
  });

  it("tells monitoring the Service to scrape, its metrics port and labels, and the migration Jobs' name prefix", () => {
    const svc = k8s.service(d);
    expect(svc.spec?.ports).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: metricsPort, targetPort: "metrics", protocol: "TCP" },
    ]);
    const target = api.scrapeTarget;
    expect(target.job).toBe(svc.metadata?.name);
    expect(target.serviceSelector).toEqual(svc.spec?.selector);
    expect(svc.spec?.ports?.find((p) => p.name === target.metricsPort)?.port).toBe(metricsPort);
    expect(target.labels).toEqual(k8s.deployment(d).metadata?.labels);
    // The failed-migration alert matches job_name=~"<prefix>-.+", anchored at both ends.
    expect(nameOf(d, "kubernetes:batch/v1:Job")).toMatch(new RegExp(`^${target.migrationJobPrefix}-.+$`));
  });

  it("autoscales the Deployment on CPU within the bounds", () => {
    const hpa = k8s.hpa(d);
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: k8s.deployment(d).metadata?.name });
    expect(hpa.spec?.minReplicas).toBe(1);
    expect(hpa.spec?.maxReplicas).toBe(3);
    expect(hpa.spec?.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
    // Beside the Deployment, with its labels, under the ApiService component.
    expect(hpa.metadata?.namespace).toBe(k8s.deployment(d).metadata?.namespace);
    expect(hpa.metadata?.labels).toEqual(k8s.deployment(d).metadata?.labels);
    expect(one(d, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").parent).toMatch(/::goapi:index:ApiService::goapi$/);
  });

  it("lets only the ingress controller reach the API port, only monitoring the metrics port, and the API reach only DNS and the database", () => {
    const np = k8s.networkPolicy(d);
    expect(np.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec?.egress).toEqual([dns, { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ port: 5432, protocol: "TCP" }] }]);
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
    // Spread counts the API's own pods, not every pod in the namespace.
    const podLabels = k8s.deployment(d).spec?.template.metadata?.labels ?? {};
    for (const t of k8s.deployment(d).spec?.template.spec?.topologySpreadConstraints ?? []) {
      expect(t.labelSelector?.matchLabels).toEqual(k8s.deployment(d).spec?.selector.matchLabels);
      expect(podLabels).toMatchObject(t.labelSelector?.matchLabels ?? { none: "" });
    }
  });

  it("declares these twelve objects with an external database when the minimum is one replica", () => {
    expect(d.filter((x) => x.type.startsWith("kubernetes:")).map((x) => `${x.type} ${x.name}`).sort()).toEqual([
      "kubernetes:apps/v1:Deployment goapi",
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler goapi",
      "kubernetes:batch/v1:Job goapi-migrate",
      "kubernetes:core/v1:ConfigMap goapi",
      "kubernetes:core/v1:Namespace goapi",
      "kubernetes:core/v1:Secret goapi",
      "kubernetes:core/v1:Secret goapi-database-url",
      "kubernetes:core/v1:Service goapi",
      "kubernetes:core/v1:ServiceAccount goapi",
      "kubernetes:networking.k8s.io/v1:Ingress goapi",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy goapi",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy goapi-migrate",
    ]);
  });
});

describe("ApiService's schema migration", () => {
  let d: Declared[];
  let options: OptionsRecorder;
  beforeAll(async () => {
    ({ declared: d, options } = await declare());
  });
  const job = () => k8s.job(d);
  const pod = () => job().spec?.template.spec;

  it("runs `/api migrate` from the Deployment's image, with DATABASE_URL from its Secret and nothing else", () => {
    const c = pod()?.containers[0];
    expect(pod()?.containers).toHaveLength(1);
    // The API server refuses a container whose name is not a DNS label (the schema models leave that out).
    expect(c?.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(c?.image).toBe(k8s.deployment(d).spec?.template.spec?.containers[0]?.image);
    expect([c?.command, c?.args]).toEqual([undefined, ["migrate"]]);
    expect(c?.env).toEqual([{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: nameOf(d, "kubernetes:core/v1:Secret", "goapi-database-url"), key: "DATABASE_URL" } } }]);
    expect(c?.envFrom).toBeUndefined();
  });

  it("runs a restricted pod with requests and limits and no service account token", () => {
    const c = pod()?.containers[0];
    expect(pod()?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(c?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(pod()?.automountServiceAccountToken).toBe(false);
    // No variables for every Service in the namespace: the migration reads only DATABASE_URL.
    expect(pod()?.enableServiceLinks).toBe(false);
    for (const bound of [c?.resources?.requests, c?.resources?.limits]) {
      expect(Object.keys(bound ?? {}).sort()).toEqual(["cpu", "ephemeral-storage", "memory"]);
    }
  });

  it("puts the failed run's last log lines in the container's termination message, which the provider's pod check reports", () => {
    expect(pod()?.containers[0]?.terminationMessagePolicy).toBe("FallbackToLogsOnError");
  });

  it("retries a failure, fails only in ways the provider ends its wait on, ends within its deadline and is waited on longer", () => {
    const spec = job().spec;
    expect(pod()?.restartPolicy).toBe("Never");
    expect(spec?.backoffLimit).toBe(2);
    // Only failures the provider's wait ends on at once (BackoffLimitExceeded, DeadlineExceeded): a FailJob
    // rule would fail the Job with the reason PodFailurePolicy, which the provider waits out to its timeout.
    expect(spec?.podFailurePolicy?.rules).toEqual([{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }]);
    const wait = options.of("kubernetes:batch/v1:Job goapi-migrate").customTimeouts;
    const seconds = (t?: string) => Number(/^(\d+)s$/.exec(t ?? "")?.[1] ?? NaN);
    expect(seconds(wait?.create)).toBeGreaterThan(spec?.activeDeadlineSeconds ?? Infinity);
    expect(seconds(wait?.update)).toBeGreaterThan(spec?.activeDeadlineSeconds ?? Infinity);
  });

  it("is auto-named, replaced by the next up when it failed, and left to Pulumi to delete", () => {
    expect(job().metadata?.name).toBeUndefined();
    // And kube-score is told that IfNotPresent is right for an image pinned by digest.
    expect(job().metadata?.annotations).toEqual({ "pulumi.com/replaceUnready": "true", "kube-score/ignore": "container-image-pull-policy" });
    expect(job().spec?.ttlSecondsAfterFinished).toBeUndefined();
  });

  it("completes before the Deployment rolls", () => {
    expect(options.of("kubernetes:apps/v1:Deployment goapi").dependsOn).toEqual(["goapi:index:SchemaMigration goapi-migrate"]);
    // An external database needs nothing to be ready first.
    expect(options.of("kubernetes:batch/v1:Job goapi-migrate").dependsOn).toEqual([]);
  });

  it("runs pods that no selector of the API picks up, and that pick up none of the API's", () => {
    const apiSelector = k8s.deployment(d).spec?.selector.matchLabels ?? {};
    const jobLabels = job().spec?.template.metadata?.labels ?? {};
    const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(selects(apiSelector, jobLabels)).toBe(false);
    const migrationSelector = k8s.networkPolicy(d, "goapi-migrate").spec?.podSelector.matchLabels ?? {};
    expect(selects(migrationSelector, jobLabels)).toBe(true);
    expect(selects(migrationSelector, k8s.deployment(d).spec?.template.metadata?.labels ?? {})).toBe(false);
    // An instance of its own (the migration of the API goapi), with the recommended labels.
    const labels = {
      "app.kubernetes.io/name": "goapi",
      "app.kubernetes.io/instance": "goapi-migrate-test",
      "app.kubernetes.io/component": "migration",
      "app.kubernetes.io/part-of": "goapi",
      "app.kubernetes.io/managed-by": "pulumi",
    };
    expect(jobLabels).toEqual(labels);
    expect(job().metadata?.labels).toEqual(labels);
  });

  it("lets its pods reach only DNS and the database, and nothing reach them", () => {
    const np = k8s.networkPolicy(d, "goapi-migrate");
    // In the namespace of the pods it selects (a NetworkPolicy selects only there), labelled as the migration's.
    expect(np.metadata).toEqual({ name: "goapi-migrate", namespace: "goapi", labels: job().metadata?.labels });
    expect(np.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec?.ingress).toEqual([]);
    expect(np.spec?.egress).toEqual(k8s.networkPolicy(d).spec?.egress);
  });

  it("is replaced by a new image or a new DATABASE_URL, never by a new token or other config", async () => {
    const jobOf = async (change: Partial<ApiServiceArgs>) => JSON.stringify(k8s.job((await declare(change)).declared));
    const base = await jobOf({});
    expect(await jobOf({})).toBe(base);
    expect(await jobOf({ apiToken: pulumi.secret("another-token-0123456") })).toBe(base);
    expect(await jobOf({ app: { ...baseArgs.app, logLevel: "debug", env: { FEATURE_X: "off" } } })).toBe(base);
    expect(await jobOf({ resources: { ...baseArgs.resources, limits: { cpu: "1", memory: "256Mi" } } })).toBe(base);
    expect(await jobOf({ image: `localhost:5001/goapi@sha256:${"c".repeat(64)}` })).not.toBe(base);
    expect(await jobOf({ database: { ...baseArgs.database, password: pulumi.secret("rotated-password") } })).not.toBe(base);
  });
});

describe("ApiService variants", () => {
  it("adds a PDB and a memory target when the minimum is above one", async () => {
    const { declared } = await declare({ autoscaling: { minReplicas: 2, maxReplicas: 10, metric: "cpu", cpuUtilization: 65, memoryUtilization: 80 } });
    expect(k8s.pdb(declared).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: k8s.deployment(declared).spec?.selector.matchLabels } });
    // With more than one pod kube-score's disruption-budget and HPA-replicas checks apply.
    expect(k8s.deployment(declared).metadata?.annotations).toEqual({
      "kube-score/ignore": "container-image-pull-policy,deployment-has-host-podantiaffinity,deployment-targeted-by-hpa-does-not-have-replicas-configured",
    });
    expect(k8s.hpa(declared).metadata?.annotations).toBeUndefined();
    expect(k8s.hpa(declared).spec?.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 65 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
    ]);
  });

  it("does not spread a single pod", async () => {
    const { declared } = await declare({ autoscaling: { minReplicas: 1, maxReplicas: 1, metric: "cpu", cpuUtilization: 70 } });
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

  it("rolls the pods when config, token or database URL change, through a new ConfigMap or Secret", async () => {
    // The mocks name auto-named objects after their content, as a replacement gets a new name.
    const references = async (change: Partial<ApiServiceArgs>) => {
      const c = k8s.deployment((await declare(change)).declared).spec?.template.spec?.containers[0];
      return { config: c?.envFrom?.[0]?.configMapRef?.name, secret: c?.env?.[0]?.valueFrom?.secretKeyRef?.name, database: c?.env?.[1]?.valueFrom?.secretKeyRef?.name };
    };
    const base = await references({});
    expect(await references({})).toEqual(base);
    // Which references changed: config, secret, database.
    const changed = async (change: Partial<ApiServiceArgs>) => {
      const r = await references(change);
      return [r.config !== base.config, r.secret !== base.secret, r.database !== base.database];
    };
    expect(await changed({ app: { ...baseArgs.app, logLevel: "debug" } })).toEqual([true, false, false]);
    expect(await changed({ database: { ...baseArgs.database, maxConns: 9 } })).toEqual([true, false, false]);
    expect(await changed({ apiToken: pulumi.secret("another-token-0123456") })).toEqual([false, true, false]);
    expect(await changed({ database: { ...baseArgs.database, password: pulumi.secret("rotated-password") } })).toEqual([false, false, true]);
    expect(await references({ image: `localhost:5001/goapi@sha256:${"c".repeat(64)}` })).toEqual(base);
  });

  it("lets the API reach an external database on its port at any address when no CIDR is configured", async () => {
    const { declared } = await declare({ database: { ...baseArgs.database, placement: { ...external, port: 6432, cidrs: [] } } });
    expect(k8s.networkPolicy(declared).spec?.egress).toEqual([dns, { ports: [{ port: 6432, protocol: "TCP" }] }]);
    expect(k8s.networkPolicy(declared, "goapi-migrate").spec?.egress).toEqual([dns, { ports: [{ port: 6432, protocol: "TCP" }] }]);
  });

  it("brackets an IPv6 host in DATABASE_URL", async () => {
    const { declared } = await declare({ database: { ...baseArgs.database, placement: { ...external, host: "fd00::5", cidrs: ["fd00::/64"] }, password: "pw" } });
    expect(k8s.secret(declared, "goapi-database-url").stringData?.DATABASE_URL).toBe("postgres://goapi:pw@[fd00::5]:5432/goapi?sslmode=verify-full");
  });
});

describe("ApiService with a database of its own", () => {
  const dbImage = `registry.internal/postgres@sha256:${"b".repeat(64)}`;
  let d: Declared[];
  let options: OptionsRecorder;
  beforeAll(async () => {
    ({ declared: d, options } = await declare({
      database: { ...baseArgs.database, placement: { kind: "inCluster", storage: "2Gi", image: dbImage }, password: pulumi.secret(dbPassword) },
    }));
  });
  const dbSelector = () => k8s.statefulSet(d).spec?.selector.matchLabels;

  it("runs PostgreSQL in the namespace and passes the schema validation", () => {
    expect(k8s.statefulSet(d).metadata?.namespace).toBe("goapi");
    expect(k8s.statefulSet(d).spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("2Gi");
    expect(k8s.statefulSet(d).spec?.template.spec?.containers[0]?.image).toBe(dbImage);
    expect(schemaProblems(d)).toEqual([]);
  });

  it("migrates only once the database is ready", () => {
    expect(options.of("kubernetes:batch/v1:Job goapi-migrate").dependsOn).toEqual(["goapi:index:Postgres goapi-db"]);
  });

  it("connects to it by its Service's name in the namespace, without TLS", () => {
    expect(k8s.secret(d, "goapi-database-url").stringData?.DATABASE_URL).toBe(
      `postgres://goapi:${encodeURIComponent(dbPassword)}@goapi-db.goapi.svc:5432/goapi?sslmode=disable`,
    );
  });

  it("lets the API and the migration reach only its pods on its port, besides DNS", () => {
    const toDatabase = { to: [{ podSelector: { matchLabels: dbSelector() } }], ports: [{ port: 5432, protocol: "TCP" }] };
    expect(k8s.networkPolicy(d).spec?.egress).toEqual([dns, toDatabase]);
    expect(k8s.networkPolicy(d, "goapi-migrate").spec?.egress).toEqual([dns, toDatabase]);
  });

  it("lets only the API and the migration in", () => {
    const from = k8s.networkPolicy(d, "goapi-db").spec?.ingress?.[0]?.from;
    expect(from).toEqual([
      { podSelector: { matchLabels: k8s.deployment(d).spec?.selector.matchLabels } },
      { podSelector: { matchLabels: k8s.networkPolicy(d, "goapi-migrate").spec?.podSelector.matchLabels } },
    ]);
  });

  it("has room for every pod's pool during a rolling update at the HPA's maximum, a migration and an operator", () => {
    // (maxReplicas 3 + 1 surge) x (DB_MAX_CONNS 7 + 1 for readiness) + 1 migration + 5 spare.
    expect(k8s.statefulSet(d).spec?.template.spec?.containers[0]?.args).toEqual(["postgres", "-c", "max_connections=38"]);
  });
});

describe("ApiService sending traces", () => {
  const tracing = {
    endpoint: "http://otel-collector.observability.svc:4318",
    sampleRatio: 0.1,
    serviceName: "goapi",
    attributes: { "deployment.environment.name": "test", "service.version": "abc123def456" },
    collector: { port: 4318, namespace: "observability", podLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } },
  };
  let d: Declared[];
  beforeAll(async () => {
    ({ declared: d } = await declare({ tracing }));
  });

  it("configures the SDK with the standard variables: endpoint, service name, parent-based ratio sampling", () => {
    expect(k8s.configMap(d).data).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
      OTEL_SERVICE_NAME: "goapi",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
  });

  it("gives the spans the pod's identity from the downward API, the stack and the version, each field defined before its use", () => {
    const env = k8s.deployment(d).spec?.template.spec?.containers[0]?.env ?? [];
    const at = (name: string) => env.findIndex((e) => e.name === name);
    const fields = Object.fromEntries(env.filter((e) => e.valueFrom?.fieldRef).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
    expect(fields).toEqual({ K8S_POD_NAME: "metadata.name", K8S_POD_UID: "metadata.uid", K8S_NAMESPACE_NAME: "metadata.namespace", K8S_NODE_NAME: "spec.nodeName" });
    const attributes = env.find((e) => e.name === "OTEL_RESOURCE_ATTRIBUTES")?.value;
    expect(attributes).toBe(
      "k8s.pod.name=$(K8S_POD_NAME),k8s.pod.uid=$(K8S_POD_UID),k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.node.name=$(K8S_NODE_NAME),deployment.environment.name=test,service.version=abc123def456",
    );
    for (const name of Object.keys(fields)) {
      expect(at(name)).toBeLessThan(at("OTEL_RESOURCE_ATTRIBUTES"));
    }
  });

  it("lets the API's pods, and only them, reach the collector's pods on its port", () => {
    const toCollector = {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } } }],
      ports: [{ port: 4318, protocol: "TCP" }],
    };
    expect(k8s.networkPolicy(d).spec?.egress?.[2]).toEqual(toCollector);
    expect(k8s.networkPolicy(d, "goapi-migrate").spec?.egress).toHaveLength(2);
  });

  it("reaches a collector outside the cluster at its CIDRs only", async () => {
    const { declared } = await declare({ tracing: { ...tracing, collector: { port: 443, cidrs: ["10.9.0.0/16"] } } });
    expect(k8s.networkPolicy(declared).spec?.egress?.[2]).toEqual({ to: [{ ipBlock: { cidr: "10.9.0.0/16" } }], ports: [{ port: 443, protocol: "TCP" }] });
  });

  it("reaches every pod of the collector's namespace when no pod labels narrow it", async () => {
    const { declared } = await declare({ tracing: { ...tracing, collector: { port: 4318, namespace: "observability" } } });
    expect(k8s.networkPolicy(declared).spec?.egress?.[2]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
      ports: [{ port: 4318, protocol: "TCP" }],
    });
  });

  it("sets no OpenTelemetry variable and no egress to a collector without tracing", async () => {
    const { declared } = await declare();
    expect(Object.keys(k8s.configMap(declared).data ?? {}).filter((k) => k.startsWith("OTEL_"))).toEqual([]);
    expect((k8s.deployment(declared).spec?.template.spec?.containers[0]?.env ?? []).map((e) => e.name)).toEqual(["API_TOKEN", "DATABASE_URL"]);
    expect(k8s.networkPolicy(declared).spec?.egress).toHaveLength(2);
  });
});
