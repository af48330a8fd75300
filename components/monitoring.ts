// ApiMonitoring: what tells a team whether the API is healthy. A
// ServiceMonitor so Prometheus scrapes the metrics port, a PrometheusRule
// with the alerts (components/alerts.ts) and a Grafana dashboard
// (components/dashboard.ts) in a ConfigMap that Grafana's dashboard sidecar
// loads. On a cluster without the Prometheus Operator's CRDs it declares
// nothing and fails the preview with what to install (cluster-apis.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRules, AlertTarget } from "./alerts";
import { CustomResourcesComponent, KindsCheck } from "./cluster-apis";
import { dashboard } from "./dashboard";
import { Observability, scrapeIntervalSeconds } from "./observability-settings";
import { monitoringKinds, PrometheusRule, ServiceMonitor } from "./prometheus-operator";

/** What to do about a cluster without the CRDs. */
export const missingCrdsRemedy =
  "The ServiceMonitor and PrometheusRule of goapi:observability need the Prometheus Operator's CRDs: install the Prometheus Operator " +
  "(kube-prometheus-stack installs it, and so do the local stack's add-ons, local/addons), then run the preview again. " +
  "Every stack with an HPA must have its alerts (the policy pack's hpa-has-alerts), so they cannot be left out.";

// A type, not an interface: ComponentResource takes its args as pulumi.Inputs.
export type ApiMonitoringArgs = {
  /** The namespace of the objects (an output, so they wait for a Namespace the stack creates). */
  namespace: pulumi.Input<string>;
  /** What the alerts and the dashboard watch. */
  target: Omit<AlertTarget, "runbookUrl"> & { minReplicas: number };
  /** Labels of the Service whose metrics port Prometheus scrapes. */
  serviceSelector: Record<string, string>;
  /** The recommended labels of the objects. */
  labels: Record<string, string>;
  /** The port name of the metrics port on that Service. */
  metricsPort: string;
  observability: Pick<Observability, "prometheusLabels" | "runbookUrl" | "alerts" | "dashboard">;
  /** Before declaring the custom resources, check that this cluster serves them; unset in render mode (no cluster to ask). */
  cluster?: KindsCheck;
};

/** docs/runbook.md as a relative link, when the stack names no URL for it. */
export const defaultRunbookUrl = "docs/runbook.md";

export class ApiMonitoring extends CustomResourcesComponent<ApiMonitoringArgs> {
  constructor(name: string, args: ApiMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:ApiMonitoring", name, args, opts);
  }

  protected kindsOf(): { kinds: readonly string[]; remedy: string } {
    return { kinds: monitoringKinds, remedy: missingCrdsRemedy };
  }

  protected declare(name: string, args: ApiMonitoringArgs): void {
    const child = { parent: this };
    const o = args.observability;
    const metadata = (objectName: string, extra: Record<string, string>) => ({ name: objectName, namespace: args.namespace, labels: { ...args.labels, ...extra } });

    new ServiceMonitor(
      name,
      {
        metadata: metadata(name, o.prometheusLabels),
        spec: {
          selector: { matchLabels: args.serviceSelector },
          namespaceSelector: { matchNames: [args.target.namespace] },
          endpoints: [
            {
              port: args.metricsPort,
              path: "/metrics",
              scheme: "http",
              interval: `${scrapeIntervalSeconds}s`,
              // One job for the API whichever Service a pod is scraped
              // through: a canary's pods sit behind Flagger's <name>-primary
              // and <name>-canary, and the alerts select the job.
              relabelings: [{ action: "replace", targetLabel: "job", replacement: args.target.job }],
            },
          ],
        },
      },
      child,
    );

    new PrometheusRule(
      name,
      {
        metadata: metadata(name, o.prometheusLabels),
        spec: { groups: [alertRules({ ...args.target, runbookUrl: o.runbookUrl ?? defaultRunbookUrl }, o.alerts)] },
      },
      child,
    );

    if (o.dashboard.enabled) {
      const board = dashboard({ ...args.target, title: `goapi (${args.target.namespace})` });
      // A fixed name and file: the sidecar writes each ConfigMap key to a
      // file of that name and deletes the file with the ConfigMap, so an
      // auto-named copy created before the old one goes would lose the
      // dashboard when the old one is deleted. The namespace in the key keeps
      // two stacks' dashboards apart in Grafana's one folder.
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard`,
        {
          metadata: metadata(`${name}-dashboard`, o.dashboard.labels),
          data: { [`goapi-${args.target.namespace}.json`]: JSON.stringify(board) },
        },
        child,
      );
    }
  }
}
