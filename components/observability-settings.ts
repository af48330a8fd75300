// The goapi:observability settings: how Prometheus finds the API, the alerts'
// thresholds (the seeds' by default: CPU above 80% for 5 minutes, P99 above
// 500 ms, errors above 5% over 1 minute), the Grafana dashboard and where the
// pods send their traces. settings.ts validates them with the other keys.
import { z } from "zod";
import { cidrSetting } from "./cidr-setting";
import { dnsLabel } from "./names";

/** A Prometheus duration: 30s, 5m, 1h30m. */
const promDuration = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, "must be a Prometheus duration such as 30s, 5m or 1h");

const durationUnits: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** A Prometheus duration in seconds. */
export function promDurationSeconds(d: string): number {
  let total = 0;
  for (const [, value, unit] of d.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(value) * (durationUnits[unit ?? ""] ?? NaN);
  }
  return total;
}

/** How often Prometheus scrapes the metrics port (the ServiceMonitor's interval). */
export const scrapeIntervalSeconds = 15;

/** A rate needs samples: Prometheus' rule of thumb is a window of at least four scrape intervals. */
const rateWindow = promDuration.refine((d) => promDurationSeconds(d) >= 4 * scrapeIntervalSeconds, {
  message: `must be at least ${4 * scrapeIntervalSeconds}s, four scrape intervals: a rate needs samples`,
});

/**
 * The latency histogram's largest finite bucket, in seconds
 * (app/internal/metrics/metrics.go): a P99 above it cannot be told apart.
 */
export const largestLatencyBucketSeconds = 2.5;

/** Kubernetes label keys and values, for the selectors of Prometheus and Grafana. */
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "must be a Kubernetes label key");
const labelValue = z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value");
const labels = z.record(labelKey, labelValue);

const forDuration = (d: string) => promDuration.default(d);

const alertsSchema = z.strictObject({
  /** CPU used by a pod, as a percentage of its CPU limit. */
  cpu: z.strictObject({ percentOfLimit: z.int().min(1).max(100).default(80), for: forDuration("5m") }).prefault({}),
  /** The P99 latency of a route. */
  latency: z
    .strictObject({
      p99Milliseconds: z
        .int()
        .min(1)
        .max(largestLatencyBucketSeconds * 1000 - 1, `must be below ${largestLatencyBucketSeconds * 1000}: the latency histogram's largest bucket ends at ${largestLatencyBucketSeconds}s`)
        .default(500),
      window: rateWindow.default("5m"),
      for: forDuration("5m"),
    })
    .prefault({}),
  /** The share of a route's requests answered 5xx. */
  errors: z.strictObject({ percent: z.number().gt(0).max(100).default(5), window: rateWindow.default("1m"), for: forDuration("1m") }).prefault({}),
  /** No pod answers /readyz. */
  noReadyPods: z.strictObject({ for: forDuration("1m") }).prefault({}),
  /** A pod's process restarted this many times within the window. */
  restarts: z.strictObject({ count: z.int().min(1).max(100).default(2), window: promDuration.default("15m") }).prefault({}),
  /** A pod cannot reach the database. */
  database: z.strictObject({ for: forDuration("1m") }).prefault({}),
  /** The HPA keeps maxReplicas pods. */
  maxReplicas: z.strictObject({ for: forDuration("15m") }).prefault({}),
});

const tracingSchema = z.strictObject({
  /** The collector's OTLP/HTTP endpoint: OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: z.url({ protocol: /^https?$/, error: "must be the collector's OTLP/HTTP URL, such as http://otel-collector.observability.svc:4318" }),
  /** The share of new traces the pods sample (parent-based: a sampled caller's trace is always continued). */
  sampleRatio: z.number().min(0).max(1).default(0.1),
  /** Where the collector runs, for the NetworkPolicy: a namespace (and pod labels), or CIDRs. */
  collector: z
    .strictObject({
      namespace: z.string().regex(dnsLabel, "must be a namespace name").optional(),
      podLabels: labels.optional(),
      cidrs: z.array(cidrSetting).min(1).optional(),
    })
    .optional(),
});

/** kube-prometheus-stack's Prometheus in the monitoring namespace, as local/addons installs it. */
export const defaultPrometheusUrl = "http://kube-prometheus-stack-prometheus.monitoring.svc:9090";

export const observabilitySchema = z.strictObject({
  /** Prometheus' HTTP API in the cluster, which the canary analysis (Flagger) and request-rate scaling (KEDA) query. */
  prometheusUrl: z
    .url({ protocol: /^https?$/, error: `must be the URL of Prometheus' HTTP API, such as ${defaultPrometheusUrl}` })
    .default(defaultPrometheusUrl),
  /** Labels on the ServiceMonitor and PrometheusRule, for a Prometheus that selects them by label. */
  prometheusLabels: labels.default({}),
  /** Where docs/runbook.md is read; each alert links to its entry. */
  runbookUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL of docs/runbook.md" }).optional(),
  alerts: alertsSchema.prefault({}),
  dashboard: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The labels Grafana's dashboard sidecar looks for (kube-prometheus-stack: grafana_dashboard: "1"). */
      labels: labels.default({ grafana_dashboard: "1" }),
    })
    .prefault({}),
  tracing: tracingSchema.optional(),
});

export type Observability = z.output<typeof observabilitySchema>;
export type AlertSettings = Observability["alerts"];
export type TracingSettings = NonNullable<Observability["tracing"]>;

/** Cross-key rules of the observability settings; each problem at the key to change. */
export function observabilityProblems(o: Observability): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const prometheus = new URL(o.prometheusUrl);
  if (prometheus.username !== "" || prometheus.password !== "") {
    problems.push({ path: ["prometheusUrl"], message: "must not carry credentials: it goes into the Canary's MetricTemplates and the ScaledObject, which are plain text" });
  }
  const t = o.tracing;
  if (t === undefined) {
    return problems;
  }
  const url = new URL(t.endpoint);
  if (url.username !== "" || url.password !== "") {
    problems.push({ path: ["tracing", "endpoint"], message: "must not carry credentials: it goes into a ConfigMap, which is plain text" });
  }
  const c = t.collector;
  if (c === undefined) {
    problems.push({ path: ["tracing", "collector"], message: "is required with tracing.endpoint: the collector's namespace (and podLabels) or cidrs, which the NetworkPolicy lets the pods reach" });
  } else if ((c.namespace === undefined) === (c.cidrs === undefined)) {
    problems.push({ path: ["tracing", "collector"], message: "needs exactly one of namespace (a collector in the cluster) or cidrs (one outside it)" });
  } else if (c.podLabels !== undefined && c.namespace === undefined) {
    problems.push({ path: ["tracing", "collector", "podLabels"], message: "selects pods in collector.namespace, which is not set" });
  }
  return problems;
}

/** The port the pods send spans to: the endpoint's, or its scheme's default. */
export function collectorPort(endpoint: string): number {
  const url = new URL(endpoint);
  if (url.port !== "") {
    return Number(url.port);
  }
  return url.protocol === "https:" ? 443 : 80;
}
