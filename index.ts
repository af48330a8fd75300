// The composition: stack settings -> cluster provider -> image -> service (with its database).
import * as path from "node:path";
import * as dockerbuild from "@pulumi/docker-build";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiImage, apiImageArgs, ApiMonitoring, ApiService, clusterProviderArgs, imageBuilderArgs, loadSettings, stackConfig, tracingOf } from "./components";
import { parseQuantity } from "./components/quantity";

const settings = loadSettings(pulumi.getStack(), stackConfig());

// Explicit providers only (Pulumi.yaml disables the default ones): nothing may
// land on whatever cluster the ambient kubeconfig points at.
const cluster = new k8s.Provider("cluster", clusterProviderArgs(settings));

// The image builder, explicit like every provider, only where there is something to build
// (a prebuilt image.ref needs neither Docker nor the docker-build plugin); see components/image-args.ts.
const imageArgs = apiImageArgs(settings, path.join(__dirname, "app"));
const builder = "build" in imageArgs ? new dockerbuild.Provider("image-builder", imageBuilderArgs) : undefined;
const image = new ApiImage("api", imageArgs, { provider: builder });

// A secret the stack does not set is generated once and kept (secret) in state.
let randomProvider: random.Provider | undefined;
const generated = (name: string) =>
  new random.RandomPassword(name, { length: 40, special: false }, { provider: (randomProvider ??= new random.Provider("random")) }).result;
const apiToken = settings.apiToken ?? generated("api-token");
// The external database's password, or the in-cluster one's (generated unless set).
const databasePassword = settings.databasePassword ?? generated("database-password");

const api = new ApiService(
  "goapi",
  {
    image: image.ref,
    namespace: settings.namespace,
    createNamespace: settings.createNamespace,
    appEnv: settings.stack,
    app: settings.app,
    apiToken,
    database: { ...settings.database, password: databasePassword },
    resources: settings.resources,
    autoscaling: settings.autoscaling,
    delivery: settings.delivery,
    prometheusUrl: settings.observability.prometheusUrl,
    ingress: settings.ingress,
    metricsNamespace: settings.metricsNamespace,
    tracing: tracingOf(settings, "build" in imageArgs ? imageArgs.build.buildArgs.VERSION : undefined),
    // In render mode there is no cluster to ask whether it serves Flagger's or KEDA's kinds.
    cluster: settings.renderYamlTo === undefined ? { provider: cluster, stack: settings.stack } : undefined,
  },
  { provider: cluster },
);

// ServiceMonitor, alerts and dashboard. In render mode there is no cluster
// to ask whether it serves the Prometheus Operator's kinds.
const monitoring = api.scrapeTarget;
new ApiMonitoring(
  "goapi",
  {
    namespace: api.namespace,
    target: {
      namespace: settings.namespace,
      job: monitoring.job,
      migrationJobPrefix: monitoring.migrationJobPrefix,
      cpuLimitCores: parseQuantity(settings.resources.limits.cpu) ?? NaN,
      minReplicas: settings.autoscaling.minReplicas,
      maxReplicas: settings.autoscaling.maxReplicas,
    },
    serviceSelector: monitoring.serviceSelector,
    labels: monitoring.labels,
    metricsPort: monitoring.metricsPort,
    observability: settings.observability,
    cluster: settings.renderYamlTo === undefined ? { provider: cluster, stack: settings.stack } : undefined,
  },
  { provider: cluster },
);

export const url = api.url;
export const imageRef = image.ref;
export const namespace = api.namespace;
export const kubeContext = settings.kubeContext;
export const deploymentName = api.deploymentName;
export const serviceName = api.serviceName;
export const ingressName = api.ingressName;
export const routeName = api.routeName;
// rolling, or the canary to follow until it is promoted or rolled back (docs/delivery.md).
export const delivery = api.delivery;
export const migrationJob = api.migrationJobName;
export const token = pulumi.secret(apiToken);
