// The alerting rules of a stack: the seeds' three (errors, P99 latency, CPU)
// and what a team needs besides to know the API is healthy. Each names the
// route or pod in its summary and links to its entry in docs/runbook.md.
// Every expression reads only the metrics the app exposes
// (app/internal/metrics/exposed.txt), save the migration Job's failure,
// which only Kubernetes knows (kube-state-metrics). The thresholds and
// windows are settings; the expressions are the same in every stack and in
// the tests that shorten the windows.
import { probePaths } from "./app-contract";
import type { AlertSettings } from "./observability-settings";
import type { Rule, RuleGroup } from "./prometheus-operator";

/** Every alert, in the order of docs/runbook.md. */
export const alertNames = [
  "GoapiHighErrorRate",
  "GoapiHighLatency",
  "GoapiHighCpu",
  "GoapiNoReadyPods",
  "GoapiPodRestarting",
  "GoapiDatabaseUnavailable",
  "GoapiAtMaxReplicas",
  "GoapiMigrationFailed",
] as const;
export type AlertName = (typeof alertNames)[number];

/** Series the rules read that the app does not expose: kube-state-metrics' view of the migration Job. */
export const clusterMetrics = ["kube_job_status_failed"] as const;

/** What the rules watch. */
export interface AlertTarget {
  /** The namespace the pods run in. */
  namespace: string;
  /** The scrape job: the Service's name, which a ServiceMonitor gives its targets' job label. */
  job: string;
  /** The API container's CPU limit, in cores. */
  cpuLimitCores: number;
  maxReplicas: number;
  /** The migration Jobs' names start with this and a dash (they are auto-named). */
  migrationJobPrefix: string;
  /** docs/runbook.md as the team reads it; each alert links to its heading. */
  runbookUrl: string;
}

/** The runbook's anchor for an alert: GitHub's for the heading "## <name>". */
export const runbookAnchor = (name: AlertName): string => name.toLowerCase();

/** Liveness, readiness and startup probes: their failures are the readiness and database alerts' business, not the error rate's. */
export const probeRoutes = `GET (${Object.values(probePaths).join("|")})`;

export function alertRules(t: AlertTarget, a: AlertSettings): RuleGroup {
  const sel = `namespace="${t.namespace}",job="${t.job}"`;
  const served = `${sel},route!~"${probeRoutes}"`;
  const rule = (alert: AlertName, severity: "critical" | "warning", expr: string, forDuration: string, summary: string, description: string): Rule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, namespace: t.namespace },
    annotations: { summary, description, runbook_url: `${t.runbookUrl}#${runbookAnchor(alert)}` },
  });
  const { errors, latency, cpu, restarts } = a;
  return {
    name: `${t.job}.${t.namespace}`,
    rules: [
      rule(
        "GoapiHighErrorRate",
        "critical",
        `sum by (route) (rate(http_requests_total{${served},code=~"5.."}[${errors.window}])) / sum by (route) (rate(http_requests_total{${served}}[${errors.window}])) > ${errors.percent / 100}`,
        errors.for,
        `{{ $labels.route }} answered {{ $value | humanizePercentage }} of its requests with 5xx over ${errors.window}`,
        `More than ${errors.percent}% of the requests to {{ $labels.route }} in ${t.namespace} failed with a 5xx status over ${errors.window}, for ${errors.for}.`,
      ),
      rule(
        "GoapiHighLatency",
        "warning",
        `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{${served}}[${latency.window}]))) > ${latency.p99Milliseconds / 1000}`,
        latency.for,
        `{{ $labels.route }} answers in {{ $value | humanizeDuration }} at P99 over ${latency.window}`,
        `The 99th percentile latency of {{ $labels.route }} in ${t.namespace} stayed above ${latency.p99Milliseconds} ms over ${latency.window}, for ${latency.for}.`,
      ),
      rule(
        "GoapiHighCpu",
        "warning",
        `rate(process_cpu_seconds_total{${sel}}[1m]) / ${t.cpuLimitCores} > ${cpu.percentOfLimit / 100}`,
        cpu.for,
        `Pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit`,
        `Pod {{ $labels.pod }} in ${t.namespace} used more than ${cpu.percentOfLimit}% of its CPU limit (${t.cpuLimitCores} cores) for ${cpu.for}: it is throttled above the limit.`,
      ),
      rule(
        "GoapiNoReadyPods",
        "critical",
        // or vector(0): no pod at all, or none scraped, is no ready pod either.
        `(sum(goapi_ready{${sel}}) or vector(0)) < 1`,
        a.noReadyPods.for,
        `No pod of ${t.job} in ${t.namespace} is ready`,
        `No pod of ${t.job} in ${t.namespace} answers /readyz (or Prometheus scrapes none) for ${a.noReadyPods.for}: the Service has no endpoint and every request fails.`,
      ),
      rule(
        "GoapiPodRestarting",
        "warning",
        `changes(process_start_time_seconds{${sel}}[${restarts.window}]) >= ${restarts.count}`,
        "0s",
        `Pod {{ $labels.pod }} restarted {{ $value }} times in ${restarts.window}`,
        `The API process in pod {{ $labels.pod }} (${t.namespace}) started anew ${restarts.count} or more times within ${restarts.window}: it crashes, or its liveness probe kills it.`,
      ),
      rule(
        "GoapiDatabaseUnavailable",
        "critical",
        `goapi_database_up{${sel}} == 0`,
        a.database.for,
        `Pod {{ $labels.pod }} cannot reach the database`,
        `Pod {{ $labels.pod }} in ${t.namespace} got no answer from PostgreSQL (or not this version's schema) for ${a.database.for}: its requests that need the database get 503.`,
      ),
      rule(
        "GoapiAtMaxReplicas",
        "warning",
        // By Service: in a canary release the stable pods (<job>-primary) and the candidate's
        // (<job>-canary) each have their own autoscaler, both at maxReplicas.
        `count by (service) (goapi_build_info{${sel}}) >= ${t.maxReplicas}`,
        a.maxReplicas.for,
        `${t.job} in ${t.namespace} runs {{ $value }} pods, the HPA's maximum (${t.maxReplicas})`,
        `${t.job} in ${t.namespace} has run at the HorizontalPodAutoscaler's maxReplicas (${t.maxReplicas}) for ${a.maxReplicas.for}: it cannot scale further if the load grows. The pods behind each Service count apart: a canary's stable and candidate pods each have an autoscaler of their own.`,
      ),
      rule(
        "GoapiMigrationFailed",
        "critical",
        `kube_job_status_failed{namespace="${t.namespace}",job_name=~"${t.migrationJobPrefix}-.+"} > 0`,
        "0s",
        `Schema migration Job {{ $labels.job_name }} failed`,
        `The schema migration Job {{ $labels.job_name }} in ${t.namespace} failed: the new image was not rolled out, and the pods still run the previous one.`,
      ),
    ],
  };
}
