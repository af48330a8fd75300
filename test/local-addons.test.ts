// The local cluster's add-ons (local/addons), run under mocks: the charts
// pinned, and what the local stack's monitoring and traces rely on.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../components/settings";
import { localNames } from "../local/addons/names";
import { cliConfig, stackFilePath } from "../scripts/stack-config";
import { installMocks, settle } from "./helpers/mocks";
import { reveal } from "./helpers/values";
import type { Declared } from "./helpers/mocks";

let declared: Declared[] = [];
let outputs: Record<string, unknown> = {};
beforeAll(async () => {
  await jest.isolateModulesAsync(async () => {
    pulumi.runtime.setAllConfig({ "goapi-local-addons:kubeContext": "kind-goapi" });
    declared = await installMocks("local", { project: "goapi-local-addons" });
    const program = (await import("../local/addons/index")) as Record<string, unknown>;
    await settle();
    for (const [k, v] of Object.entries(program)) {
      outputs[k] = await new Promise((resolve) => {
        pulumi.output(v as pulumi.Input<string>).apply(resolve);
      });
    }
    outputs = { ...outputs, secret: await pulumi.isSecret(pulumi.output(program.grafanaAdminPassword)) };
  });
});

interface Release {
  chart: string;
  version: string;
  namespace: string;
  values: Record<string, unknown>;
}
const release = (name: string): Release => {
  const r = declared.find((d) => d.type === "kubernetes:helm.sh/v3:Release" && d.name === name);
  if (r === undefined) throw new Error(`no Release ${name}`);
  return reveal(r.inputs) as Release;
};

/** A committed stack file's goapi: keys as loadSettings takes them. */
const cliConfigOf = (stack: string): Record<string, string> =>
  Object.fromEntries(Object.entries(cliConfig(stackFilePath(stack)).config).flatMap(([k, v]) => (k.startsWith("goapi:") ? [[k.slice("goapi:".length), v]] : [])));

describe("the local add-ons", () => {
  const local = cliConfig(stackFilePath("local")).config;
  const tracing = (JSON.parse(local["goapi:observability"] ?? "{}") as { tracing: { endpoint: string; collector: { namespace: string; podLabels: Record<string, string> } } }).tracing;

  it("pin every chart", () => {
    const pins = declared.filter((d) => d.type === "kubernetes:helm.sh/v3:Release").map((d) => [d.name, (reveal(d.inputs) as Release).version]);
    expect(pins.sort()).toEqual([
      ["flagger", "1.36.1"],
      ["jaeger", "4.11.1"],
      ["keda", "2.20.2"],
      ["kube-prometheus-stack", "88.5.3"],
      ["metrics-server", "3.13.0"],
      ["opentelemetry-collector", "0.170.0"],
      ["traefik", "37.4.0"],
    ]);
  });

  it("install each chart from its own repository under its own name, into a namespace made for it unless the cluster has it", () => {
    type Inputs = Release & { name: string; repositoryOpts: { repo: string }; createNamespace?: boolean; timeout?: number };
    const releases = declared.filter((d) => d.type === "kubernetes:helm.sh/v3:Release").map((d) => ({ declaredAs: d.name, ...(reveal(d.inputs) as Inputs) }));
    for (const r of releases) {
      expect(r.name).toBe(r.declaredAs);
      expect(r.repositoryOpts.repo).toMatch(/^https:\/\/[a-z.-]+(\/|$)/);
    }
    const made = Object.fromEntries(releases.map((r) => [r.name, r.createNamespace ?? false]));
    expect(made).toEqual({
      traefik: true,
      "metrics-server": false,
      "kube-prometheus-stack": true,
      jaeger: true,
      "opentelemetry-collector": true,
      flagger: true,
      keda: true,
    });
    expect(release("metrics-server").namespace).toBe("kube-system");
    expect(Object.fromEntries(releases.map((r) => [r.name, r.timeout]))).toMatchObject({ "kube-prometheus-stack": 900, traefik: undefined });
  });

  it("pin Flagger and KEDA to the versions whose CRDs the cluster checks hold the stacks to", () => {
    const versions = fs.readFileSync(path.join(__dirname, "..", "scripts", "cluster", "versions.sh"), "utf8");
    const pinned = (key: string) => new RegExp(`^${key}=(\\S+)$`, "m").exec(versions)?.[1];
    expect(release("flagger").version).toBe(pinned("flagger_version"));
    expect(release("keda").version).toBe(pinned("keda_version"));
  });

  it("run Flagger on the Gateway API and the stacks' Prometheus, and a Gateway every namespace's routes attach to", () => {
    const prometheus = loadSettings("local", cliConfigOf("local")).observability.prometheusUrl;
    expect(release("flagger").values).toEqual({ meshProvider: "gatewayapi:v1", metricsServer: prometheus, prometheus: { install: false } });
    const traefik = release("traefik");
    expect(traefik.values.providers).toMatchObject({ kubernetesGateway: { enabled: true } });
    expect(traefik.values.gateway).toEqual({ name: localNames.gatewayName, listeners: { web: { namespacePolicy: { from: "All" } } } });
    // A local stack switched to canary finds this Gateway by default.
    const canary = loadSettings("local", { ...cliConfigOf("local"), delivery: JSON.stringify({ strategy: "canary" }) }).delivery;
    expect(canary).toMatchObject({ canary: { gateway: { name: localNames.gatewayName, namespace: traefik.namespace } } });
  });

  it("run Prometheus where the local stack lets it scrape, picking up every ServiceMonitor and rule, keeping exemplars", () => {
    const kps = release("kube-prometheus-stack");
    expect(kps.namespace).toBe(localNames.monitoringNamespace);
    expect(local["goapi:metricsNamespace"] ?? "monitoring").toBe(kps.namespace);
    expect(kps.values.prometheus).toMatchObject({
      prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false, enableFeatures: ["exemplar-storage"] },
    });
  });

  it("load the stack's dashboard from any namespace, and link exemplars to the trace viewer", () => {
    const grafana = release("kube-prometheus-stack").values.grafana as Record<string, unknown>;
    expect(grafana.sidecar).toMatchObject({
      dashboards: { label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" },
      datasources: { exemplarTraceIdDestinations: { datasourceUid: "jaeger", traceIdLabelName: "trace_id" } },
    });
    expect(grafana.additionalDataSources).toEqual([expect.objectContaining({ uid: "jaeger", type: "jaeger", url: "http://jaeger.observability.svc:16686" })]);
    expect(grafana.ingress).toMatchObject({ ingressClassName: localNames.ingressClass, hosts: [localNames.grafanaHost] });
  });

  it("receive the local stack's spans where its settings send them, and pass them to Jaeger", () => {
    const c = release("opentelemetry-collector");
    expect(tracing.endpoint).toBe(`http://${localNames.collectorService}.${c.namespace}.svc:4318`);
    expect(tracing.collector.namespace).toBe(c.namespace);
    // The chart's pod labels: app.kubernetes.io/name is the chart's name.
    expect(tracing.collector.podLabels).toEqual({ "app.kubernetes.io/name": "opentelemetry-collector" });
    expect(c.values).toMatchObject({
      fullnameOverride: localNames.collectorService,
      config: { service: { pipelines: { traces: { receivers: ["otlp"], exporters: ["otlp/jaeger"] } } }, exporters: { "otlp/jaeger": { endpoint: "jaeger.observability.svc:4317" } } },
    });
    expect(release("jaeger").namespace).toBe(c.namespace);
  });

  it("export where Grafana and the traces are, and Grafana's generated password as a secret", () => {
    expect(outputs).toMatchObject({ grafanaUrl: "http://grafana.localhost/", tracesUrl: "http://traces.localhost/", grafanaUser: "admin", secret: true });
  });
});
