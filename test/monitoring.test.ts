// What a stack declares so a team can tell whether the API is healthy: the
// ServiceMonitor on the API's metrics port, the alerts (each with a severity,
// a summary naming the route or pod, and a runbook entry), the dashboard for
// Grafana's sidecar, and nothing of it on a cluster without the CRDs.
import * as fs from "node:fs";
import * as path from "node:path";
import { alertNames, runbookAnchor } from "../components/alerts";
import { ApiMonitoring, ApiMonitoringArgs } from "../components/monitoring";
import { type AlertSettings, scrapeIntervalSeconds } from "../components/observability-settings";
import { monitoringKinds } from "../components/prometheus-operator";
import { requiredAlerts } from "../policy/rules/hpa-alerts";
import { canaryOf, isCanary, scalerOf } from "./helpers/invariants";
import { k8s, schemaProblems } from "./helpers/manifests";
import { Declared, installMocks, settle } from "./helpers/mocks";
import type { StackRun } from "./helpers/stack";
import { runAsSetUp } from "./helpers/user-setup";
import { reveal } from "./helpers/values";

const runbook = fs.readFileSync(path.join(__dirname, "..", "docs", "runbook.md"), "utf8");
const runbookHeadings = [...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1] ?? "");
// Where the app serves its metrics (app/internal/metrics/metrics.go).
const metricsPath = /^const path = "([^"]+)"$/m.exec(fs.readFileSync(path.join(__dirname, "..", "app", "internal", "metrics", "metrics.go"), "utf8"))?.[1];

const stacks: Record<string, StackRun> = {};
beforeAll(async () => {
  for (const stack of ["local", "dev", "prod"]) {
    stacks[stack] = await runAsSetUp(stack);
  }
});
const run = (stack: string) => {
  const r = stacks[stack];
  if (r === undefined) throw new Error(`no run of ${stack}`);
  return r;
};
const rulesOf = (d: Declared[]) => k8s.prometheusRule(d).spec.groups?.flatMap((g) => g.rules ?? []) ?? [];

describe.each(["local", "dev", "prod"])("the %s stack's monitoring", (stack) => {
  it("passes the Prometheus Operator's CRD schemas", () => {
    expect(schemaProblems(run(stack).declared)).toEqual([]);
  });

  it("scrapes the API's Service on its metrics port, in its namespace", () => {
    const d = run(stack).declared;
    const sm = k8s.serviceMonitor(d).spec;
    // The path the app serves, every scrapeIntervalSeconds: the alerts' and the canary's windows count on it.
    expect(metricsPath).toBeDefined();
    expect(sm.endpoints.map((e) => [e.path, e.interval])).toEqual([[metricsPath, `${String(scrapeIntervalSeconds)}s`]]);
    if (isCanary(run(stack))) {
      // Flagger generates the primary's and the candidate's Services with these labels and the pods' metrics port.
      const service = canaryOf(d).spec.service;
      expect(service.portDiscovery).toBe(true);
      expect(service.primary?.labels).toMatchObject(sm.selector.matchLabels ?? {});
      expect(service.canary?.labels).toMatchObject(sm.selector.matchLabels ?? {});
      expect(sm.namespaceSelector?.matchNames).toEqual([k8s.deployment(d).metadata?.namespace]);
      expect(sm.endpoints.map((e) => e.port)).toEqual(["metrics"]);
      return;
    }
    const service = k8s.service(d);
    expect(service.metadata?.labels).toMatchObject(sm.selector.matchLabels ?? {});
    expect(sm.namespaceSelector?.matchNames).toEqual([service.metadata?.namespace]);
    expect(sm.endpoints.map((e) => e.port)).toEqual(service.spec?.ports?.filter((p) => p.name === "metrics").map((p) => p.name));
    // Only the API's Service: the database's has other labels.
    const selected = d
      .filter((x) => x.type === "kubernetes:core/v1:Service")
      .filter((x) => Object.entries(sm.selector.matchLabels ?? {}).every(([k, v]) => (reveal(x.inputs) as { metadata: { labels: Record<string, string> } }).metadata.labels[k] === v));
    expect(selected.map((x) => x.name)).toEqual(["goapi"]);
  });

  it("has every alert, each with a severity, a summary, and a runbook link to its entry", () => {
    const rules = rulesOf(run(stack).declared);
    expect(rules.map((r) => r.alert)).toEqual([...alertNames]);
    for (const r of rules) {
      const name = r.alert as (typeof alertNames)[number];
      expect({ name, severity: r.labels?.severity && ["critical", "warning"].includes(r.labels.severity) }).toEqual({ name, severity: true });
      expect(r.annotations?.summary).toBeTruthy();
      expect(r.annotations?.runbook_url).toMatch(new RegExp(`#${runbookAnchor(name)}$`));
      expect(runbookHeadings).toContain(name);
    }
  });

  it("names the route or the pod in the summaries of per-route and per-pod alerts", () => {
    const summaries: Record<string, string> = Object.fromEntries(rulesOf(run(stack).declared).map((r) => [r.alert ?? "", r.annotations?.summary ?? ""]));
    for (const name of ["GoapiHighErrorRate", "GoapiHighLatency"]) {
      expect(summaries[name]).toContain("{{ $labels.route }}");
    }
    for (const name of ["GoapiHighCpu", "GoapiPodRestarting", "GoapiDatabaseUnavailable"]) {
      expect(summaries[name]).toContain("{{ $labels.pod }}");
    }
    expect(summaries["GoapiMigrationFailed"]).toContain("{{ $labels.job_name }}");
  });

  it("watches the Service's scrape job in its namespace, and the HPA's ceiling", () => {
    const d = run(stack).declared;
    const deployment = k8s.deployment(d);
    const job = k8s.serviceMonitor(d).spec.endpoints[0]?.relabelings?.find((r) => r.targetLabel === "job")?.replacement;
    expect(job).toBe(deployment.metadata?.name);
    const selector = `namespace="${deployment.metadata?.namespace ?? ""}",job="${job ?? ""}"`;
    const rules = rulesOf(d).filter((r) => r.alert !== "GoapiMigrationFailed");
    for (const r of rules) {
      expect({ alert: r.alert, watches: String(r.expr).includes(selector) }).toEqual({ alert: r.alert, watches: true });
    }
    const max = scalerOf(d).maxReplicas;
    expect(rulesOf(d).find((r) => r.alert === "GoapiAtMaxReplicas")?.expr).toMatch(new RegExp(` >= ${String(max)}$`));
  });

  it("declares its objects as children of the ApiMonitoring component", () => {
    const d = run(stack).declared;
    const component = d.filter((x) => x.type === "goapi:index:ApiMonitoring");
    expect(component.map((x) => x.name)).toEqual(["goapi"]);
    const children = d.filter((x) => x.parent?.endsWith("::goapi:index:ApiMonitoring::goapi"));
    expect(children.map((x) => x.type).sort()).toEqual(
      ["kubernetes:core/v1:ConfigMap", "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"].sort(),
    );
  });

  it("gives Grafana's sidecar a dashboard of this namespace", () => {
    const d = run(stack).declared;
    const cm = k8s.configMap(d, "goapi-dashboard");
    // A fixed name, not an auto-named one: the sidecar deletes the file with the ConfigMap it came from.
    expect(cm.metadata?.name).toBe("goapi-dashboard");
    expect(cm.metadata?.labels).toMatchObject({ grafana_dashboard: "1" });
    const namespace = k8s.deployment(d).metadata?.namespace ?? "";
    const files = Object.keys(cm.data ?? {});
    expect(files).toEqual([`goapi-${namespace}.json`]);
    const board = JSON.parse(cm.data?.[files[0] ?? ""] ?? "{}") as { uid: string; title: string; panels: { title: string }[] };
    expect(board.uid).toBe(`goapi-${namespace}`);
    // Two stacks' dashboards sit in Grafana's one folder: the title tells them apart.
    expect(board.title).toBe(`goapi (${namespace})`);
    expect(board.panels.map((p) => p.title)).toEqual([
      "Requests per route",
      "Errors per route (5xx share)",
      "Latency per route (P50, P99)",
      "Pods and the HPA's bounds",
      "CPU per pod (share of the limit)",
      "Memory per pod",
      "Database pool connections",
      "Database pool waits",
    ]);
  });
});

describe("the alerts", () => {
  it("are the ones the policy pack requires of every stack with an HPA", () => {
    expect([...alertNames]).toEqual([...requiredAlerts]);
  });

  it("each have their entry in docs/runbook.md, in the same order, and no entry without an alert", () => {
    expect(runbookHeadings).toEqual([...alertNames]);
  });

  it("link the runbook the stack names, or docs/runbook.md in this repository", () => {
    const link = (stack: string) => rulesOf(run(stack).declared)[0]?.annotations?.runbook_url ?? "";
    expect(link("local")).toBe("docs/runbook.md#goapihigherrorrate");
    expect(link("prod")).toMatch(/^https:\/\/.+\/docs\/runbook\.md#goapihigherrorrate$/);
  });

  it("carry the stack's thresholds, and the CPU limit of its pods", () => {
    const d = run("prod").declared;
    const expr = (name: string) => String(rulesOf(d).find((r) => r.alert === name)?.expr);
    expect(expr("GoapiHighErrorRate")).toMatch(/\[1m\]\)\) > 0\.05$/);
    expect(expr("GoapiHighLatency")).toMatch(/\[5m\]\)\)\) > 0\.5$/);
    // prod's limit is 1 core: 80% of it.
    expect(expr("GoapiHighCpu")).toMatch(/\[1m\]\) \/ 1 > 0\.8$/);
  });
});

describe("a stack without the dashboard", () => {
  it("declares no ConfigMap for Grafana, and the ServiceMonitor and alerts still", async () => {
    const d = (await runAsSetUp("local", { set: { observability: { dashboard: { enabled: false } } } })).declared;
    expect(d.filter((x) => x.type === "kubernetes:core/v1:ConfigMap" && x.name.endsWith("-dashboard"))).toEqual([]);
    expect(k8s.serviceMonitor(d).spec.endpoints).toHaveLength(1);
    expect(rulesOf(d).map((r) => r.alert)).toEqual([...alertNames]);
  });
});

describe("ApiMonitoring", () => {
  const args = (cluster: ApiMonitoringArgs["cluster"]): ApiMonitoringArgs => ({
    namespace: "goapi",
    target: { namespace: "goapi", job: "goapi", cpuLimitCores: 0.5, minReplicas: 1, maxReplicas: 3, migrationJobPrefix: "goapi-migrate" },
    serviceSelector: { "app.kubernetes.io/name": "goapi" },
    labels: { "app.kubernetes.io/name": "goapi" },
    metricsPort: "metrics",
    observability: { prometheusLabels: {}, alerts: {} as never, dashboard: { enabled: false, labels: {} } },
    cluster,
  });

  it("on a cluster without the Prometheus Operator's CRDs, declares nothing and fails with what to install", async () => {
    const declared = await installMocks("test", { unservedKinds: monitoringKinds });
    const k8sModule = await import("@pulumi/kubernetes");
    const provider = new k8sModule.Provider("cluster", { context: "kind-goapi" });
    const m = new ApiMonitoring("goapi", args({ provider, stack: "dev" }), { provider });
    const data = (m as unknown as { getData(): Promise<unknown> }).getData();
    await expect(data).rejects.toThrow(
      "Stack 'dev': the cluster does not serve monitoring.coreos.com/v1/ServiceMonitor, monitoring.coreos.com/v1/PrometheusRule (its API discovery lists no such kind; " +
        "if the cluster could not be reached, the provider's warning above says so). The ServiceMonitor and PrometheusRule of goapi:observability need the Prometheus Operator's CRDs",
    );
    // What installs them, and why the monitoring cannot simply be left out.
    await expect(data).rejects.toThrow("(kube-prometheus-stack installs it, and so do the local stack's add-ons, local/addons), then run the preview again.");
    await expect(data).rejects.toThrow("Every stack with an HPA must have its alerts (the policy pack's hpa-has-alerts)");
    await settle();
    expect(declared.filter((d) => d.type.startsWith("kubernetes:monitoring.coreos.com"))).toEqual([]);
  });

  it("fails saying so when the provider's Helm template renders no answer", async () => {
    await installMocks("test", { helmRendersNothing: true });
    const k8sModule = await import("@pulumi/kubernetes");
    const provider = new k8sModule.Provider("cluster", { context: "kind-goapi" });
    const m = new ApiMonitoring("goapi", args({ provider, stack: "dev" }), { provider });
    await expect((m as unknown as { getData(): Promise<unknown> }).getData()).rejects.toThrow(
      /^the Kubernetes provider's Helm template of \S+\/components\/charts\/served-kinds returned no served-kinds ConfigMap$/,
    );
    await settle();
  });

  it("in render mode asks no cluster and declares its objects", async () => {
    const declared = await installMocks("test", { unservedKinds: monitoringKinds });
    const alerts: AlertSettings = {
      cpu: { percentOfLimit: 80, for: "5m" },
      latency: { p99Milliseconds: 500, window: "5m", for: "5m" },
      errors: { percent: 5, window: "1m", for: "1m" },
      noReadyPods: { for: "1m" },
      restarts: { count: 2, window: "15m" },
      database: { for: "1m" },
      maxReplicas: { for: "15m" },
    };
    new ApiMonitoring("goapi", { ...args(undefined), observability: { prometheusLabels: {}, alerts, dashboard: { enabled: false, labels: {} } } });
    await settle();
    expect(declared.filter((d) => d.type.startsWith("kubernetes:monitoring.coreos.com")).map((d) => d.type)).toEqual([
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    ]);
  });

  it("names the one kind missing when the cluster serves the other", async () => {
    await installMocks("test", { unservedKinds: ["monitoring.coreos.com/v1/PrometheusRule"] });
    const k8sModule = await import("@pulumi/kubernetes");
    const provider = new k8sModule.Provider("cluster", { context: "kind-goapi" });
    const m = new ApiMonitoring("goapi", args({ provider, stack: "dev" }), { provider });
    await expect((m as unknown as { getData(): Promise<unknown> }).getData()).rejects.toThrow("does not serve monitoring.coreos.com/v1/PrometheusRule (");
    await settle();
  });
});
