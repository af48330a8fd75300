// The composition: stack settings -> cluster provider -> image -> service.
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiImage, ApiService, appCommit, clusterProviderArgs, ImageBuild, ImagePlan, loadSettings, stackConfig } from "./components";

const settings = loadSettings(pulumi.getStack(), stackConfig());

// Explicit providers only (Pulumi.yaml disables the default ones): nothing may
// land on whatever cluster the ambient kubeconfig points at.
const cluster = new k8s.Provider("cluster", clusterProviderArgs(settings));

const appDir = path.join(__dirname, "app");
const plan = settings.image;
const image =
  plan.kind === "prebuilt"
    ? new ApiImage("api", { prebuiltRef: plan.ref })
    : new ApiImage("api", { build: buildOf(plan) }, { providers: [new docker.Provider("docker")] });

function buildOf(p: Extract<ImagePlan, { kind: "build" }>): ImageBuild {
  const commit = appCommit(appDir);
  const tag = p.tag === "git" ? commit.slice(0, 12) : p.tag;
  const { registryUsername: username, registryPassword: password } = settings;
  return {
    context: appDir,
    repository: `${p.registry}/${p.repository}`,
    tag,
    platform: p.platform,
    buildArgs: { VERSION: tag, COMMIT: commit },
    cacheFrom: p.cacheFrom,
    registry: username !== undefined && password !== undefined ? { server: p.registry, username, password } : undefined,
  };
}

// Without a configured token, one is generated once and kept (secret) in state.
const apiToken =
  settings.apiToken ??
  new random.RandomPassword("api-token", { length: 40, special: false }, { provider: new random.Provider("random") }).result;

const api = new ApiService(
  "goapi",
  {
    image: image.ref,
    namespace: settings.namespace,
    createNamespace: settings.createNamespace,
    appEnv: settings.stack,
    app: settings.app,
    apiToken,
    resources: settings.resources,
    autoscaling: settings.autoscaling,
    ingress: settings.ingress,
    metricsNamespace: settings.metricsNamespace,
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
export const token = pulumi.secret(apiToken);
