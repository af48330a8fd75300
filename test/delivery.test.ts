// How a release reaches the users and what the replica count follows:
// ApiService under each goapi:delivery strategy and goapi:autoscaling.metric,
// with plain arguments (docs/delivery.md).
import * as pulumi from "@pulumi/pulumi";
import { ApiService, ApiServiceArgs } from "../components/api-service";
import { canaryQueries } from "../components/canary";
import { ApiDelivery, ApiDeliveryArgs, deliveryKinds } from "../components/delivery";
import type { CanarySettings } from "../components/delivery-settings";
import type { CanarySpec, MetricTemplateSpec } from "../components/flagger";
import { count, k8s, schemaProblems } from "./helpers/manifests";
import { DeclaredApiService, declareApiService } from "./helpers/api-service";
import { Declared, installMocks, settle } from "./helpers/mocks";
import { OptionsRecorder } from "./helpers/options";
import { reveal } from "./helpers/values";

const canarySettings: CanarySettings = {
  steps: [5, 20, 100],
  interval: "1m",
  rollback: { p99Milliseconds: 800, errorPercent: 1, failedChecks: 2 },
  gateway: { name: "traefik-gateway", namespace: "traefik" },
};

const baseArgs: ApiServiceArgs = {
  image: `localhost:5001/goapi@sha256:${"b".repeat(64)}`,
  namespace: "goapi",
  createNamespace: true,
  appEnv: "test",
  app: { logLevel: "info", drainDelaySeconds: 5, shutdownTimeoutSeconds: 15, maxBodyBytes: 1048576, env: {} },
  apiToken: pulumi.secret("component-test-token-0123"),
  database: {
    placement: { kind: "external", host: "db.example.test", port: 5432, name: "goapi", user: "goapi", sslmode: "verify-full", cidrs: [] },
    maxConns: 5,
    statementTimeoutMilliseconds: 2500,
    password: pulumi.secret("pw"),
  },
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
  autoscaling: { minReplicas: 2, maxReplicas: 6, metric: "cpu", cpuUtilization: 70 },
  delivery: { strategy: "rolling" },
  prometheusUrl: "http://prometheus.monitoring.svc:9090",
  ingress: { className: "traefik", host: "goapi.example.test", path: "/api", controllerNamespace: "traefik" },
  metricsNamespace: "monitoring",
};

const canaryDelivery = (c: Partial<CanarySettings> = {}): Partial<ApiServiceArgs> => ({ delivery: { strategy: "canary", canary: { ...canarySettings, ...c } } });
const requests = (rps: number, extra: Partial<ApiServiceArgs["autoscaling"]> = {}): Partial<ApiServiceArgs> => ({
  autoscaling: { ...baseArgs.autoscaling, metric: "requests", requestsPerSecond: rps, ...extra },
});

async function declare(change: Partial<ApiServiceArgs> = {}): Promise<DeclaredApiService & { d: Declared[] }> {
  const declared = await declareApiService({ ...baseArgs, ...change });
  return { ...declared, d: declared.declared };
}

const ofType = <T>(d: Declared[], type: string): T[] => d.filter((x) => x.type === type).map((x) => reveal(x.inputs) as T);
const canaryOf = (d: Declared[]) => {
  const [c] = ofType<{ metadata: { name: string }; spec: CanarySpec }>(d, "kubernetes:flagger.app/v1beta1:Canary");
  if (c === undefined) throw new Error("no Canary declared");
  return c;
};
const templatesOf = (d: Declared[]) => ofType<{ metadata: { name: string }; spec: MetricTemplateSpec }>(d, "kubernetes:flagger.app/v1beta1:MetricTemplate");

describe("a rolling stack", () => {
  it("declares its own Service, Ingress and HPA, and no canary objects", async () => {
    const { d, api } = await declare();
    expect(count(d, "kubernetes:core/v1:Service")).toBe(1);
    expect(count(d, "kubernetes:networking.k8s.io/v1:Ingress")).toBe(1);
    expect(count(d, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toBe(1);
    expect(d.filter((x) => /flagger|keda|gateway\.networking/.test(x.type))).toEqual([]);
    expect(k8s.deployment(d).metadata?.annotations?.["pulumi.com/skipAwait"]).toBeUndefined();
    expect(api.delivery).toEqual({ strategy: "rolling" });
  });
});

describe("a canary stack", () => {
  let d: Declared[];
  let api: ApiService;
  let options: OptionsRecorder;
  beforeAll(async () => {
    ({ d, api, options } = await declare(canaryDelivery()));
  });

  it("declares only objects that pass their schemas (Flagger's: in npm run test:cluster)", () => {
    expect(schemaProblems(d)).toEqual([]);
  });

  it("releases the Deployment through the steps below 100, Flagger's promotion being the last", () => {
    const c = canaryOf(d).spec;
    expect(c.provider).toBe("gatewayapi:v1");
    expect(c.targetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: k8s.deployment(d).metadata?.name });
    expect(c.analysis).toMatchObject({ interval: "1m", threshold: 2, stepWeights: [5, 20] });
  });

  it("copies the HPA for the primary", () => {
    expect(canaryOf(d).spec.autoscalerRef).toEqual({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: k8s.hpa(d).metadata?.name });
  });

  it("rolls back on the new pods' P99 and error share, from the app's own metrics in Prometheus", () => {
    const templates = templatesOf(d);
    expect(templates.map((t) => t.spec.provider)).toEqual([
      { type: "prometheus", address: "http://prometheus.monitoring.svc:9090" },
      { type: "prometheus", address: "http://prometheus.monitoring.svc:9090" },
    ]);
    const byName = Object.fromEntries(templates.map((t) => [t.metadata.name, t.spec.query]));
    const metrics = canaryOf(d).spec.analysis.metrics.map((m) => ({ query: byName[m.templateRef.name], interval: m.interval, range: m.thresholdRange }));
    expect(metrics).toEqual([
      { query: canaryQueries.p99Milliseconds, interval: "1m", range: { max: 800 } },
      { query: canaryQueries.errorPercent, interval: "1m", range: { max: 1 } },
    ]);
    // Flagger reports each check by its name (events, status, the release watcher's log): named, and apart.
    const names = canaryOf(d).spec.analysis.metrics.map((m) => m.name);
    expect(names.filter((n) => /^[a-z][a-z0-9-]*$/.test(n))).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const query of Object.values(canaryQueries)) {
      expect(query).toContain('service="{{ target }}-canary"');
      expect(query).toContain("[{{ interval }}]");
      expect(query).toContain('route!~"GET (');
    }
    expect(canaryQueries.p99Milliseconds).toMatch(/^histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{.*\}\[\{\{ interval \}\}\]\)\)\) \* 1000$/);
    // No 5xx at all is 0 %, not an empty answer (which Flagger counts as a failed check).
    expect(canaryQueries.errorPercent).toMatch(/^100 \* \(sum\(rate\(http_requests_total\{.*,code=~"5\.\."\}\[\{\{ interval \}\}\]\)\) or vector\(0\)\) \/ sum\(rate\(http_requests_total\{.*\}\[\{\{ interval \}\}\]\)\)$/);
  });

  it("serves the host and path through the stack's Gateway, with the pods' metrics port on Flagger's Services", () => {
    const service = canaryOf(d).spec.service;
    expect(service).toMatchObject({
      port: 80,
      targetPort: "http",
      portDiscovery: true,
      hosts: ["goapi.example.test"],
      gatewayRefs: [{ name: "traefik-gateway", namespace: "traefik" }],
      match: [{ uri: { prefix: "/api" } }],
    });
    expect(count(d, "kubernetes:core/v1:Service")).toBe(0);
    expect(count(d, "kubernetes:networking.k8s.io/v1:Ingress")).toBe(0);
    expect(api.routeName).toBe("goapi");
    expect(api.ingressName).toBeUndefined();
  });

  it("selects the primary's pods too in the PDB and the NetworkPolicy, by the label Flagger keeps", () => {
    const instance = { "app.kubernetes.io/instance": "goapi-test" };
    expect(k8s.deployment(d).spec?.template.metadata?.labels).toMatchObject(instance);
    expect(k8s.pdb(d).spec?.selector?.matchLabels).toEqual(instance);
    expect(k8s.networkPolicy(d).spec?.podSelector.matchLabels).toEqual(instance);
    expect(canaryOf(d).spec.service.primary?.labels).toMatchObject(instance);
    // The candidate's Service carries the same labels: the ServiceMonitor selects both Services by them.
    expect(canaryOf(d).spec.service.canary?.labels).toEqual(canaryOf(d).spec.service.primary?.labels);
  });

  it("hands the Deployment over to Flagger: no await, replicas set once", () => {
    expect(k8s.deployment(d).metadata?.annotations?.["pulumi.com/skipAwait"]).toBe("true");
    expect(options.of("kubernetes:apps/v1:Deployment goapi").ignoreChanges).toEqual(["spec.replicas"]);
  });

  it("declares the Canary after what it names", () => {
    expect(options.of("kubernetes:flagger.app/v1beta1:Canary goapi").dependsOn.sort()).toEqual([
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler goapi",
      "kubernetes:flagger.app/v1beta1:MetricTemplate goapi-errorpercent",
      "kubernetes:flagger.app/v1beta1:MetricTemplate goapi-p99milliseconds",
    ]);
  });

  it("tells how to follow a release in the outputs", () => {
    expect(api.delivery).toEqual({ strategy: "canary", canary: "goapi", steps: [5, 20, 100], follow: "kubectl --namespace goapi get canary goapi --watch" });
  });

  it("sends no one to the new version by header unless internal users are set", () => {
    expect(count(d, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")).toBe(0);
  });

  it("attaches Flagger's route and the internal users' to the Gateway listener named, and to no other", async () => {
    const { d: listened } = await declare(canaryDelivery({ gateway: { ...canarySettings.gateway, listener: "websecure" }, internalUsers: { header: "X-Goapi-Canary", value: "internal" } }));
    expect(schemaProblems(listened)).toEqual([]);
    const ref = { name: "traefik-gateway", namespace: "traefik", sectionName: "websecure" };
    expect(canaryOf(listened).spec.service.gatewayRefs).toEqual([ref]);
    expect(k8s.httpRoute(listened).spec.parentRefs).toEqual([ref]);
  });

  it("sends the internal users' requests to the new version, on the same host, path and Gateway", async () => {
    const { d: withUsers } = await declare(canaryDelivery({ internalUsers: { header: "X-Goapi-Canary", value: "internal" } }));
    expect(schemaProblems(withUsers)).toEqual([]);
    // Not Flagger's route's name (the Canary's, goapi), which Flagger's own HTTPRoute takes.
    expect(k8s.httpRoute(withUsers).metadata?.name).toBe("goapi-internal-users");
    expect(k8s.httpRoute(withUsers).spec).toEqual({
      parentRefs: [{ name: "traefik-gateway", namespace: "traefik" }],
      hostnames: ["goapi.example.test"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/api" }, headers: [{ type: "Exact", name: "X-Goapi-Canary", value: "internal" }] }],
          backendRefs: [{ name: "goapi-canary", port: 80 }],
        },
      ],
    });
  });

  it("takes the steps, interval and thresholds of the settings", async () => {
    const { d: other } = await declare(canaryDelivery({ steps: [1, 10, 50, 100], interval: "2m", rollback: { p99Milliseconds: 300, errorPercent: 0.5, failedChecks: 5 } }));
    const c = canaryOf(other).spec;
    expect(c.analysis).toMatchObject({ interval: "2m", threshold: 5, stepWeights: [1, 10, 50] });
    expect(c.analysis.metrics.map((m) => [m.interval, m.thresholdRange])).toEqual([
      ["2m", { max: 300 }],
      ["2m", { max: 0.5 }],
    ]);
  });
});

describe("scaling on the request rate", () => {
  it("declares a ScaledObject on the pods' request rate instead of an HPA", async () => {
    const { d } = await declare(requests(25));
    expect(schemaProblems(d)).toEqual([]);
    expect(count(d, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toBe(0);
    const spec = k8s.scaledObject(d).spec;
    expect(spec).toMatchObject({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "goapi" }, minReplicaCount: 2, maxReplicaCount: 6, pollingInterval: 15 });
    expect(spec.triggers).toEqual([
      {
        type: "prometheus",
        name: "requests",
        metricType: "AverageValue",
        metadata: {
          serverAddress: "http://prometheus.monitoring.svc:9090",
          query: expect.stringMatching(/^sum\(rate\(http_requests_total\{namespace="goapi",service="goapi",route!~"GET \(.*\)"\}\[1m\]\)\)$/) as unknown,
          threshold: "25",
        },
      },
    ]);
    // Declared by ApiDelivery, as its child.
    expect(d.find((x) => x.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")?.parent).toMatch(/\$goapi:index:ApiDelivery::[^:]+$/);
  });

  it("adds the memory target as a second trigger", async () => {
    const { d } = await declare(requests(25, { memoryUtilization: 80 }));
    expect(k8s.scaledObject(d).spec.triggers[1]).toEqual({ type: "memory", metricType: "Utilization", metadata: { value: "80" } });
  });

  it("in a canary, scales the candidate on its own rate and lets Flagger rewrite the query for the primary", async () => {
    const { d } = await declare({ ...requests(40), ...canaryDelivery() });
    const query = k8s.scaledObject(d).spec.triggers[0]?.metadata.query ?? "";
    expect(query).toContain('service="goapi-canary"');
    expect(canaryOf(d).spec.autoscalerRef).toEqual({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      name: "goapi",
      primaryScalerQueries: { requests: query.replace('service="goapi-canary"', 'service="goapi-primary"') },
    });
  });
});

describe("an in-cluster database under a canary", () => {
  it("has connections for the primary's and the candidate's pods at their maximum, plus a surge", async () => {
    const inCluster = { ...baseArgs.database, placement: { kind: "inCluster" as const, storage: "1Gi" } };
    const connections = async (change: Partial<ApiServiceArgs>) => {
      const { d } = await declare({ database: inCluster, ...change });
      const args = (k8s.statefulSet(d).spec?.template.spec?.containers[0]?.args ?? []).join(" ");
      return Number(/max_connections=(\d+)/.exec(args)?.[1]);
    };
    const rolling = await connections({});
    const canary = await connections(canaryDelivery());
    // Each pod: its pool (5) and a readiness connection; 6 more pods at the maximum.
    expect(canary - rolling).toBe(6 * 6);
  });
});

describe("a cluster without the delivery controllers' kinds", () => {
  const target = {
    name: "goapi",
    namespace: "goapi",
    namespaceName: "goapi",
    labels: { "app.kubernetes.io/name": "goapi" },
    service: "goapi-canary",
    primaryService: "goapi-primary",
    prometheusUrl: "http://prometheus.monitoring.svc:9090",
  };
  const scaling = { kind: "requests" as const, autoscaling: { ...baseArgs.autoscaling, metric: "requests" as const, requestsPerSecond: 25 } };
  const canary = { settings: canarySettings, host: "goapi.example.test", path: "/" };

  /** An ApiDelivery on a cluster without `unservedKinds`: what it declared, and its initialization. */
  async function deliveryOn(
    unservedKinds: readonly string[],
    args: Omit<ApiDeliveryArgs, "target" | "cluster" | "scaling"> & { scaling: ApiDeliveryArgs["scaling"] | "an HPA" },
  ): Promise<{ d: Declared[]; data: Promise<unknown> }> {
    const d = await installMocks("test", { unservedKinds });
    const k8sModule = await import("@pulumi/kubernetes");
    const provider = new k8sModule.Provider("cluster", { context: "kind-goapi" });
    const hpa = () => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" as const, name: "goapi", resource: new k8sModule.autoscaling.v2.HorizontalPodAutoscaler("goapi", { spec: { scaleTargetRef: { kind: "Deployment", name: "goapi" }, maxReplicas: 3 } }, { provider }) });
    const scaling = args.scaling === "an HPA" ? { kind: "hpa" as const, hpa: hpa() } : args.scaling;
    const delivery = new ApiDelivery("goapi", { target, ...args, scaling, cluster: { provider, stack: "prod" } }, { provider });
    return { d, data: (delivery as unknown as { getData(): Promise<unknown> }).getData() };
  }

  it("fails a canary stack's preview, naming the kinds missing and what to install, and declares nothing", async () => {
    const { d, data } = await deliveryOn(deliveryKinds.canary, { scaling, canary });
    await expect(data).rejects.toThrow(
      "Stack 'prod': the cluster does not serve flagger.app/v1beta1/Canary, flagger.app/v1beta1/MetricTemplate, gateway.networking.k8s.io/v1/HTTPRoute (its API discovery lists no such kind;",
    );
    await expect(data).rejects.toThrow("goapi:delivery.strategy canary needs Flagger and the Gateway API (their CRDs and controllers); goapi:autoscaling.metric requests needs KEDA: install them");
    await settle();
    expect(d.filter((x) => /flagger|gateway\.networking|keda/.test(x.type))).toEqual([]);
  });

  it("fails a request-rate stack's preview on KEDA's kind alone, and names only KEDA", async () => {
    const { data } = await deliveryOn(deliveryKinds.requests, { scaling });
    await expect(data).rejects.toThrow("does not serve keda.sh/v1alpha1/ScaledObject (");
    await expect(data).rejects.toThrow(/\. goapi:autoscaling\.metric requests needs KEDA: install them/);
    await settle();
  });

  it("asks only for the kinds it declares: a canary scaled by an HPA needs no KEDA", async () => {
    const { d, data } = await deliveryOn(deliveryKinds.requests, { scaling: "an HPA", canary });
    await expect(data).resolves.toBeUndefined();
    await settle();
    expect(count(d, "kubernetes:flagger.app/v1beta1:Canary")).toBe(1);
  });

  it("is not declared by a rolling stack on CPU", async () => {
    const { d } = await declare();
    expect(d.filter((x) => x.type === "goapi:index:ApiDelivery")).toEqual([]);
  });
});
