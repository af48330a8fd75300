// The composition: stack settings -> cluster provider -> image -> service.
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiImage, ApiService, appSource, contentTag, ImageBuild, ImagePlan, loadSettings, stackConfig } from "./components";

const settings = loadSettings(pulumi.getStack(), stackConfig());

const cluster = new k8s.Provider("cluster", {
  context: settings.kubeContext,
  kubeconfig: settings.kubeconfig,
  renderYamlToDirectory: settings.renderYamlTo,
});

const appDir = path.join(__dirname, "app");
const plan = settings.image;
const image = new ApiImage("api", plan.kind === "prebuilt" ? { prebuiltRef: plan.ref } : { build: buildOf(plan) });

function buildOf(p: Extract<ImagePlan, { kind: "build" }>): ImageBuild {
  const source = appSource(appDir);
  if (p.tag === "git" && source === undefined) {
    throw new pulumi.RunError(`goapi:image.tag is "git" but ${appDir} is not in a git work tree: set a fixed goapi:image.tag`);
  }
  const commit = source?.commit ?? "unknown";
  const tag = p.tag === "git" && source !== undefined ? contentTag(source) : p.tag;
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
const apiToken = settings.apiToken ?? new random.RandomPassword("api-token", { length: 40, special: false }).result;

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
