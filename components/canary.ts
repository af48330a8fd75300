// A canary release of the API's Deployment (docs/delivery.md): Flagger's
// Canary, which copies the Deployment to <name>-primary, generates the
// Services and the Gateway API HTTPRoute and moves the public traffic through
// the steps; the two MetricTemplates that judge the new pods on the app's own
// metrics; and, when internal users are set, an HTTPRoute that sends their
// requests to the new version for the whole analysis.
import * as pulumi from "@pulumi/pulumi";
import { probeRoutes } from "./alerts";
import type { CanarySettings } from "./delivery-settings";
import { Canary, MetricTemplate } from "./flagger";
import { HttpRoute } from "./gateway-api";

/** Flagger's names for what it generates from a Canary named after its target. */
export const canaryNames = (target: string) => ({ primary: `${target}-primary`, canary: `${target}-canary`, route: target });

/** The Service port the routes use (the pods' http port behind it). */
export const servicePort = 80;

export interface CanaryReleaseArgs {
  namespace: pulumi.Input<string>;
  /** The Deployment (fixed name) whose pod template is released. */
  deployment: string;
  /** Its scaler, which Flagger copies for the primary. */
  scaler: { kind: "HorizontalPodAutoscaler" | "ScaledObject"; apiVersion: string; name: string; primaryQueries?: Record<string, string>; resource: pulumi.Resource };
  canary: CanarySettings;
  host: string;
  path: string;
  prometheusUrl: string;
  /** Labels on the objects, and on the primary and canary Services Flagger generates (so that the ServiceMonitor finds them). */
  labels: Record<string, string>;
}

/** The PromQL selector of the new pods' served requests (probes left out, as in the alerts). */
const newPods = `namespace="{{ namespace }}",service="{{ target }}-canary",route!~"${probeRoutes}"`;

export const canaryQueries = {
  /** The new pods' P99 latency, in milliseconds. */
  p99Milliseconds: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${newPods}}[{{ interval }}]))) * 1000`,
  /** The share of the new pods' answers that are 5xx, in percent (0 when none failed). */
  errorPercent: `100 * (sum(rate(http_requests_total{${newPods},code=~"5.."}[{{ interval }}])) or vector(0)) / sum(rate(http_requests_total{${newPods}}[{{ interval }}]))`,
};

/** Declares the release's objects as children of `parent`. */
export function declareCanaryRelease(name: string, args: CanaryReleaseArgs, parent: pulumi.Resource): void {
  const child = { parent };
  const c = args.canary;
  const metadata = (objectName: string) => ({ name: objectName, namespace: args.namespace, labels: args.labels });
  const template = (metric: keyof typeof canaryQueries) => {
    const templateName = `${name}-${metric.toLowerCase()}`;
    const resource = new MetricTemplate(
      templateName,
      { metadata: metadata(templateName), spec: { provider: { type: "prometheus", address: args.prometheusUrl }, query: canaryQueries[metric] } },
      child,
    );
    return { name: templateName, resource };
  };
  const latency = template("p99Milliseconds");
  const errors = template("errorPercent");
  // With a listener, the routes attach to it alone (the HTTPS one on a TLS stack).
  const gateway = { name: c.gateway.name, namespace: c.gateway.namespace, ...(c.gateway.listener === undefined ? {} : { sectionName: c.gateway.listener }) };

  new Canary(
    name,
    {
      metadata: metadata(name),
      spec: {
        provider: "gatewayapi:v1",
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deployment },
        autoscalerRef: {
          apiVersion: args.scaler.apiVersion,
          kind: args.scaler.kind,
          name: args.scaler.name,
          ...(args.scaler.primaryQueries === undefined ? {} : { primaryScalerQueries: args.scaler.primaryQueries }),
        },
        progressDeadlineSeconds: 600,
        service: {
          port: servicePort,
          targetPort: "http",
          portDiscovery: true,
          hosts: [args.host],
          gatewayRefs: [gateway],
          match: [{ uri: { prefix: args.path } }],
          primary: { labels: args.labels },
          canary: { labels: args.labels },
        },
        analysis: {
          interval: c.interval,
          threshold: c.rollback.failedChecks,
          // The last step, 100, is the promotion itself.
          stepWeights: c.steps.slice(0, -1),
          metrics: [
            { name: "p99-milliseconds", interval: c.interval, thresholdRange: { max: c.rollback.p99Milliseconds }, templateRef: { name: latency.name } },
            { name: "error-percent", interval: c.interval, thresholdRange: { max: c.rollback.errorPercent }, templateRef: { name: errors.name } },
          ],
        },
      },
    },
    // Flagger waits for what the Canary names; declaring it last keeps its first analysis from failing on them.
    { ...child, dependsOn: [latency.resource, errors.resource, args.scaler.resource] },
  );

  if (c.internalUsers !== undefined) {
    // More header matches than Flagger's route for the same host and path, so
    // this rule wins under the Gateway API's precedence.
    new HttpRoute(
      `${name}-internal-users`,
      {
        metadata: metadata(`${name}-internal-users`),
        spec: {
          parentRefs: [gateway],
          hostnames: [args.host],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: args.path }, headers: [{ type: "Exact", name: c.internalUsers.header, value: c.internalUsers.value }] }],
              backendRefs: [{ name: canaryNames(args.deployment).canary, port: servicePort }],
            },
          ],
        },
      },
      child,
    );
  }
}
