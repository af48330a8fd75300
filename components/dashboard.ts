// The Grafana dashboard of a stack, as code: requests, errors and latency per
// route, pods (by version) against the HPA's bounds, CPU against the limit,
// and the database pools. Grafana's dashboard sidecar loads it from a
// labelled ConfigMap (components/monitoring.ts). Like the alerts, every query
// reads only the metrics the app exposes; a test parses each one.

/** Grafana's JSON model, as far as this dashboard uses it. */
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  editable: boolean;
  schemaVersion: number;
  time: { from: string; to: string };
  refresh: string;
  templating: { list: DatasourceVariable[] };
  panels: Panel[];
}

interface DatasourceVariable {
  name: string;
  label: string;
  type: "datasource";
  query: "prometheus";
}

interface Target {
  refId: string;
  expr: string;
  legendFormat: string;
  /** Show the exemplars (trace ids of sampled requests) on this series. */
  exemplar?: boolean;
}

export interface Panel {
  id: number;
  type: "timeseries";
  title: string;
  description: string;
  datasource: { type: "prometheus"; uid: "${datasource}" };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig: { defaults: { unit: string; min?: number; max?: number }; overrides: [] };
  targets: Target[];
}

export interface DashboardTarget {
  namespace: string;
  job: string;
  title: string;
  cpuLimitCores: number;
  minReplicas: number;
  maxReplicas: number;
}

/** Grafana's own interval for rate(): at least four scrape intervals, wider when zoomed out. */
export const rateInterval = "$__rate_interval";

export function dashboard(t: DashboardTarget): Dashboard {
  const sel = `namespace="${t.namespace}",job="${t.job}"`;
  const rate = (metric: string, extra = "") => `rate(${metric}{${sel}${extra}}[${rateInterval}])`;
  const panels: Omit<Panel, "id" | "datasource" | "gridPos">[] = [
    {
      type: "timeseries",
      title: "Requests per route",
      description: "Requests served per second, by route pattern.",
      fieldConfig: { defaults: { unit: "reqps", min: 0 }, overrides: [] },
      targets: [{ refId: "A", expr: `sum by (route) (${rate("http_requests_total")})`, legendFormat: "{{route}}" }],
    },
    {
      type: "timeseries",
      title: "Errors per route (5xx share)",
      description: "The share of each route's requests answered with a 5xx status; the GoapiHighErrorRate alert watches it.",
      fieldConfig: { defaults: { unit: "percentunit", min: 0 }, overrides: [] },
      targets: [
        {
          refId: "A",
          expr: `sum by (route) (${rate("http_requests_total", ',code=~"5.."')}) / sum by (route) (${rate("http_requests_total")})`,
          legendFormat: "{{route}}",
        },
      ],
    },
    {
      type: "timeseries",
      title: "Latency per route (P50, P99)",
      description: "Request latency by route; the dots are exemplars, sampled requests whose trace opens from them.",
      fieldConfig: { defaults: { unit: "s", min: 0 }, overrides: [] },
      targets: [0.5, 0.99].map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        expr: `histogram_quantile(${q}, sum by (route, le) (${rate("http_request_duration_seconds_bucket")}))`,
        legendFormat: `P${q * 100} {{route}}`,
        exemplar: true,
      })),
    },
    {
      type: "timeseries",
      title: "Pods and the HPA's bounds",
      description: "Pods serving metrics by version (a rollout shows both), the ready ones, and the HorizontalPodAutoscaler's minReplicas and maxReplicas from the stack's settings.",
      fieldConfig: { defaults: { unit: "short", min: 0 }, overrides: [] },
      targets: [
        { refId: "A", expr: `count by (version) (goapi_build_info{${sel}})`, legendFormat: "pods, version {{version}}" },
        { refId: "B", expr: `sum(goapi_ready{${sel}})`, legendFormat: "ready" },
        { refId: "C", expr: `vector(${t.minReplicas})`, legendFormat: "HPA minReplicas" },
        { refId: "D", expr: `vector(${t.maxReplicas})`, legendFormat: "HPA maxReplicas" },
      ],
    },
    {
      type: "timeseries",
      title: "CPU per pod (share of the limit)",
      description: `CPU used by each pod's API process, as a share of its limit (${t.cpuLimitCores} cores); the HPA scales on requests, the GoapiHighCpu alert on this.`,
      fieldConfig: { defaults: { unit: "percentunit", min: 0 }, overrides: [] },
      targets: [{ refId: "A", expr: `${rate("process_cpu_seconds_total")} / ${t.cpuLimitCores}`, legendFormat: "{{pod}}" }],
    },
    {
      type: "timeseries",
      title: "Memory per pod",
      description: "Resident memory of each pod's API process.",
      fieldConfig: { defaults: { unit: "bytes", min: 0 }, overrides: [] },
      targets: [{ refId: "A", expr: `process_resident_memory_bytes{${sel}}`, legendFormat: "{{pod}}" }],
    },
    {
      type: "timeseries",
      title: "Database pool connections",
      description: "Connections of every pod's pools by state, against the pools' maximum; pods that reach the database.",
      fieldConfig: { defaults: { unit: "short", min: 0 }, overrides: [] },
      targets: [
        { refId: "A", expr: `sum by (pool, state) (db_pool_connections{${sel}})`, legendFormat: "{{pool}} {{state}}" },
        { refId: "B", expr: `sum by (pool) (db_pool_max_connections{${sel}})`, legendFormat: "{{pool}} maximum" },
        { refId: "C", expr: `sum(goapi_database_up{${sel}})`, legendFormat: "pods reaching the database" },
      ],
    },
    {
      type: "timeseries",
      title: "Database pool waits",
      description: "Acquires per second that found no idle connection, and the seconds per second spent waiting in them: a pool too small for the load.",
      fieldConfig: { defaults: { unit: "short", min: 0 }, overrides: [] },
      targets: [
        { refId: "A", expr: `sum by (pool) (${rate("db_pool_empty_acquires_total")})`, legendFormat: "{{pool}} waits/s" },
        { refId: "B", expr: `sum by (pool) (${rate("db_pool_acquire_wait_seconds_total")})`, legendFormat: "{{pool}} waiting s/s" },
      ],
    },
  ];
  return {
    uid: `goapi-${t.namespace}`.slice(0, 40),
    title: t.title,
    tags: ["goapi"],
    editable: false,
    schemaVersion: 39,
    time: { from: "now-1h", to: "now" },
    refresh: "30s",
    templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }] },
    panels: panels.map((p, i) => ({
      ...p,
      id: i + 1,
      datasource: { type: "prometheus", uid: "${datasource}" },
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    })),
  };
}
