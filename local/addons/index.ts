// Add-ons the local stack needs in the kind cluster, declared with Pulumi so
// `pulumi destroy` removes exactly what `up` added.
//
// Why Pulumi and not a script: the user has Docker, kind and Node, not kubectl
// or helm. The Kubernetes provider embeds Helm, so charts install with nothing
// else on the machine. The cluster itself and the registry container stay in
// scripts/local-up.sh: they must exist before any provider can connect.
//
// Traefik is the ingress controller (and the Gateway API's): maintained (ingress-nginx is retired
// upstream), it serves networking.k8s.io/v1 Ingress, and it can publish a fixed
// address in Ingress status, which Pulumi waits for before an Ingress is ready.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { localNames } from "./names";

const config = new pulumi.Config();
const provider = new k8s.Provider("kind", { context: config.require("kubeContext") });

/** A pinned chart from its own repository, installed into the kind cluster. */
interface Chart {
  chart: string;
  version: string;
  repo: string;
  namespace: string;
  values?: pulumi.Inputs;
  timeout?: number;
}

function release(name: string, c: Chart, opts: pulumi.CustomResourceOptions = {}): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name,
      chart: c.chart,
      version: c.version,
      repositoryOpts: { repo: c.repo },
      namespace: c.namespace,
      // kube-system and kube-public exist in every cluster; any other namespace is made for the chart.
      ...(c.namespace.startsWith("kube-") ? {} : { createNamespace: true }),
      values: c.values,
      timeout: c.timeout,
    },
    { provider, ...opts },
  );
}

// kind's documented hint telling tools where the local registry is.
new k8s.core.v1.ConfigMap(
  "local-registry-hosting",
  {
    metadata: { name: "local-registry-hosting", namespace: "kube-public" },
    data: {
      "localRegistryHosting.v1": `host: "${localNames.registry}"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n`,
    },
  },
  { provider },
);

release(
  "traefik",
  {
    chart: "traefik",
    version: "37.4.0",
    repo: "https://traefik.github.io/charts",
    namespace: localNames.ingressNamespace,
    values: {
      nodeSelector: { "ingress-ready": "true" },
      tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
      // kind maps localhost:80 to the node's port 80.
      ports: { web: { hostPort: 80 } },
      service: { type: "ClusterIP" },
      ingressClass: { enabled: true, isDefaultClass: false, name: localNames.ingressClass },
      // The Gateway API too (the chart brings its CRDs): a canary stack's
      // traffic goes through the Gateway, whose HTTPRoute Flagger writes
      // from the stack's namespace (docs/delivery.md).
      providers: { kubernetesIngress: { publishedService: { enabled: false } }, kubernetesGateway: { enabled: true } },
      gateway: { name: localNames.gatewayName, listeners: { web: { namespacePolicy: { from: "All" } } } },
      additionalArguments: ["--providers.kubernetesingress.ingressendpoint.ip=127.0.0.1"],
    },
  },
);

release(
  "metrics-server",
  {
    chart: "metrics-server",
    version: "3.13.0",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    namespace: "kube-system",
    // kind's kubelets serve self-signed certificates.
    values: { args: ["--kubelet-insecure-tls"] },
  },
);

// Observability: the Prometheus Operator stack (Prometheus, Alertmanager,
// Grafana, kube-state-metrics), which picks up every ServiceMonitor,
// PrometheusRule and dashboard ConfigMap in the cluster, and an OpenTelemetry
// Collector that passes the API's spans to Jaeger, the trace viewer. Grafana
// and Jaeger are behind Traefik on *.localhost; Grafana's admin password is
// generated and kept, encrypted, in this stack's state.
const grafanaPassword = new random.RandomPassword("grafana-admin", { length: 24, special: false }, { provider: new random.Provider("random") });
const ingressFor = (host: string) => ({ enabled: true, ingressClassName: localNames.ingressClass, hosts: [host], path: "/" });
const jaegerQuery = `http://jaeger.${localNames.tracingNamespace}.svc:16686`;

release(
  "kube-prometheus-stack",
  {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
    namespace: localNames.monitoringNamespace,
    timeout: 900,
    values: {
      // kind runs these on the control-plane node where Prometheus cannot
      // scrape them; their rules would only report targets down.
      kubeEtcd: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeControllerManager: { enabled: false },
      kubeProxy: { enabled: false },
      nodeExporter: { enabled: false },
      prometheus: {
        prometheusSpec: {
          // Every ServiceMonitor and PrometheusRule, not only the chart's own.
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          // The latency histogram's trace ids, which Grafana links to Jaeger.
          enableFeatures: ["exemplar-storage"],
          retention: "2d",
        },
      },
      grafana: {
        adminPassword: grafanaPassword.result,
        ingress: ingressFor(localNames.grafanaHost),
        sidecar: {
          dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" },
          datasources: { exemplarTraceIdDestinations: { datasourceUid: "jaeger", traceIdLabelName: "trace_id" } },
        },
        additionalDataSources: [{ name: "Jaeger", uid: "jaeger", type: "jaeger", access: "proxy", url: jaegerQuery }],
      },
    },
  },
);

const jaeger = release(
  "jaeger",
  {
    chart: "jaeger",
    version: "4.11.1",
    repo: "https://jaegertracing.github.io/helm-charts",
    namespace: localNames.tracingNamespace,
    // All in one, spans in memory: a viewer for the local stack, not a store.
    values: { fullnameOverride: "jaeger", jaeger: { ingress: { enabled: true, ingressClassName: localNames.ingressClass, hosts: [localNames.tracesHost] } } },
  },
);

release(
  "opentelemetry-collector",
  {
    chart: "opentelemetry-collector",
    version: "0.170.0",
    repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    namespace: localNames.tracingNamespace,
    values: {
      mode: "deployment",
      fullnameOverride: localNames.collectorService,
      image: { repository: "otel/opentelemetry-collector-k8s" },
      config: {
        exporters: { "otlp/jaeger": { endpoint: `jaeger.${localNames.tracingNamespace}.svc:4317`, tls: { insecure: true } } },
        service: { pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["otlp/jaeger"] } } },
      },
    },
  }, { dependsOn: [jaeger] },
);

// Delivery: Flagger releases a canary stack through Traefik's Gateway, judged
// on the Prometheus above; KEDA scales a stack on its request rate from the
// same Prometheus. Both pinned to the versions whose CRDs npm run
// test:cluster checks the stacks' objects against (scripts/cluster/versions.sh).
const prometheusUrl = `http://kube-prometheus-stack-prometheus.${localNames.monitoringNamespace}.svc:9090`;
release(
  "flagger",
  {
    chart: "flagger",
    version: "1.36.1",
    repo: "https://flagger.app",
    namespace: localNames.deliveryNamespace,
    values: { meshProvider: "gatewayapi:v1", metricsServer: prometheusUrl, prometheus: { install: false } },
  },
);

release(
  "keda",
  {
    chart: "keda",
    version: "2.20.2",
    repo: "https://kedacore.github.io/charts",
    namespace: localNames.deliveryNamespace,
  },
);

export const grafanaUrl = `http://${localNames.grafanaHost}/`;
export const grafanaUser = "admin";
export const grafanaAdminPassword = pulumi.secret(grafanaPassword.result);
export const tracesUrl = `http://${localNames.tracesHost}/`;
