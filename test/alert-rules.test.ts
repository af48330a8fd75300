// `promtool test rules` for every alert of the local stack's PrometheusRule,
// as the program declares it: each fires at its threshold (just above it),
// stays quiet just below, and fires only once its `for` has passed. Series
// are scraped every 15 s, as the ServiceMonitor asks; the summaries and
// descriptions are checked as Prometheus renders them.
import { alertNames, AlertName } from "../components/alerts";
import { k8s } from "./helpers/manifests";
import { promtool } from "./helpers/promtool";
import { runAsSetUp } from "./helpers/user-setup";
import type { Rule, RuleGroup } from "../components/prometheus-operator";

type Labels = Record<string, string>;

interface Check {
  /** Evaluation time, as promtool reads it (1m30s). */
  at: string;
  /** The firing alerts then: their labels beyond the rule's, and the text $value renders to. */
  firing: { labels: Labels; value: string }[];
}

interface Scenario {
  alert: AlertName;
  /** fires: at or just above the threshold; quiet: just below; for: quiet before the `for` has passed, firing after. */
  kind: "fires" | "quiet" | "for";
  what: string;
  series: { series: string; values: string }[];
  checks: Check[];
}

const target = { namespace: "goapi", job: "goapi" };
const pod = (n: number): Labels => ({ ...target, pod: `goapi-7d9f-${String(n)}`, instance: `10.244.0.${String(n)}:9090` });
const series = (name: string, labels: Labels) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
/** Go's %.4g, as Prometheus' humanize functions print. */
const g4 = (v: number) => String(Number(v.toPrecision(4)));

/** One route's requests per 15 s scrape: ok answered 200, failed 503. */
function requests(route: string, ok: number, failed: number): Scenario["series"] {
  const labels = { ...pod(1), route, method: "GET" };
  return [
    { series: series("http_requests_total", { ...labels, code: "200" }), values: `0+${String(ok)}x60` },
    { series: series("http_requests_total", { ...labels, code: "503" }), values: `0+${String(failed)}x60` },
  ];
}

/** One route's latency histogram: of every 1000 requests per scrape, `slow` take between 0.5 and 1 s, the rest at most 0.25 s. */
function latency(route: string, slow: number): Scenario["series"] {
  const labels = { ...pod(1), route, method: "GET", code: "200" };
  const cumulative: [string, number][] = [["0.1", 500], ["0.25", 1000 - slow], ["0.5", 1000 - slow], ["1", 1000], ["2.5", 1000], ["+Inf", 1000]];
  return cumulative.map(([le, n]) => ({ series: series("http_request_duration_seconds_bucket", { ...labels, le }), values: `0+${String(n)}x60` }));
}

/** CPU seconds per 15 s scrape that make `cores` of use. */
const cpu = (cores: number) => [{ series: series("process_cpu_seconds_total", pod(1)), values: `0+${String(cores * 15)}x60` }];

const route = "GET /v1/items/{id}";
// The local stack's pods: limits.cpu 250m, HPA maxReplicas 3 (Pulumi.local.yaml).
const scenarios: Scenario[] = [
  { alert: "GoapiHighErrorRate", kind: "fires", what: "5.1% of a route's requests fail", series: requests(route, 949, 51), checks: [{ at: "2m", firing: [{ labels: { route }, value: "5.1%" }] }] },
  { alert: "GoapiHighErrorRate", kind: "quiet", what: "4.9% fail", series: requests(route, 951, 49), checks: [{ at: "2m", firing: [] }] },
  {
    alert: "GoapiHighErrorRate",
    kind: "quiet",
    what: "the readiness probe fails (its own alerts' business)",
    series: requests("GET /readyz", 0, 100),
    checks: [{ at: "2m", firing: [] }],
  },
  {
    alert: "GoapiHighErrorRate",
    kind: "for",
    what: "half the requests fail: not before 1m, then firing",
    series: requests(route, 50, 50),
    checks: [
      { at: "1m", firing: [] },
      { at: "1m30s", firing: [{ labels: { route }, value: "50%" }] },
    ],
  },
  { alert: "GoapiHighLatency", kind: "fires", what: "1.2% of requests above 500 ms: P99 583 ms", series: latency(route, 12), checks: [{ at: "6m", firing: [{ labels: { route }, value: `${g4(583.3333)}ms` }] }] },
  { alert: "GoapiHighLatency", kind: "quiet", what: "1% above 500 ms: P99 at 500 ms", series: latency(route, 10), checks: [{ at: "6m", firing: [] }] },
  {
    alert: "GoapiHighLatency",
    kind: "for",
    what: "2% above 500 ms: not before 5m, then firing",
    series: latency(route, 20),
    checks: [
      { at: "5m", firing: [] },
      { at: "5m30s", firing: [{ labels: { route }, value: "750ms" }] },
    ],
  },
  { alert: "GoapiHighCpu", kind: "fires", what: "82% of the limit", series: cpu(0.205), checks: [{ at: "7m", firing: [{ labels: pod(1), value: "82%" }] }] },
  { alert: "GoapiHighCpu", kind: "quiet", what: "78% of the limit", series: cpu(0.195), checks: [{ at: "7m", firing: [] }] },
  {
    // rate() over 1m sees the whole use once a minute of samples exists (a
    // counter starting at 0 is not extrapolated before it), so from 1m on.
    alert: "GoapiHighCpu",
    kind: "for",
    what: "the whole limit: not before 1m of samples and 5m, then firing",
    series: cpu(0.25),
    checks: [
      { at: "5m45s", firing: [] },
      { at: "6m15s", firing: [{ labels: pod(1), value: "100%" }] },
    ],
  },
  {
    alert: "GoapiNoReadyPods",
    kind: "fires",
    what: "neither pod ready",
    series: [1, 2].map((n) => ({ series: series("goapi_ready", pod(n)), values: "0x60" })),
    checks: [{ at: "2m", firing: [{ labels: {}, value: "0" }] }],
  },
  {
    alert: "GoapiNoReadyPods",
    kind: "fires",
    what: "no pod scraped at all",
    series: [{ series: series("goapi_ready", { namespace: "other", job: "goapi" }), values: "1x60" }],
    checks: [{ at: "2m", firing: [{ labels: {}, value: "0" }] }],
  },
  {
    alert: "GoapiNoReadyPods",
    kind: "quiet",
    what: "one of two pods ready",
    series: [
      { series: series("goapi_ready", pod(1)), values: "1x60" },
      { series: series("goapi_ready", pod(2)), values: "0x60" },
    ],
    checks: [{ at: "2m", firing: [] }],
  },
  {
    alert: "GoapiNoReadyPods",
    kind: "for",
    what: "none ready: not before 1m, then firing",
    series: [{ series: series("goapi_ready", pod(1)), values: "0x60" }],
    checks: [
      { at: "45s", firing: [] },
      { at: "1m15s", firing: [{ labels: {}, value: "0" }] },
    ],
  },
  {
    alert: "GoapiPodRestarting",
    kind: "fires",
    what: "a second restart within 15m",
    series: [{ series: series("process_start_time_seconds", pod(1)), values: "100x9 200x9 300x20" }],
    checks: [{ at: "5m", firing: [{ labels: pod(1), value: "2" }] }],
  },
  {
    alert: "GoapiPodRestarting",
    kind: "quiet",
    what: "one restart",
    series: [{ series: series("process_start_time_seconds", pod(1)), values: "100x9 200x40" }],
    checks: [{ at: "5m", firing: [] }],
  },
  {
    alert: "GoapiPodRestarting",
    kind: "for",
    what: "no delay (for 0s): quiet after the first restart, firing at the second",
    series: [{ series: series("process_start_time_seconds", pod(1)), values: "100x9 200x9 300x20" }],
    checks: [
      { at: "4m45s", firing: [] },
      { at: "5m", firing: [{ labels: pod(1), value: "2" }] },
    ],
  },
  {
    alert: "GoapiDatabaseUnavailable",
    kind: "fires",
    what: "a pod without the database",
    series: [{ series: series("goapi_database_up", pod(1)), values: "0x60" }],
    checks: [{ at: "2m", firing: [{ labels: pod(1), value: "0" }] }],
  },
  {
    alert: "GoapiDatabaseUnavailable",
    kind: "quiet",
    what: "a pod with the database",
    series: [{ series: series("goapi_database_up", pod(1)), values: "1x60" }],
    checks: [{ at: "2m", firing: [] }],
  },
  {
    alert: "GoapiDatabaseUnavailable",
    kind: "for",
    what: "down: not before 1m, then firing",
    series: [{ series: series("goapi_database_up", pod(1)), values: "0x60" }],
    checks: [
      { at: "45s", firing: [] },
      { at: "1m15s", firing: [{ labels: pod(1), value: "0" }] },
    ],
  },
  {
    alert: "GoapiAtMaxReplicas",
    kind: "fires",
    what: "three pods, the HPA's maximum, for 15m",
    series: [1, 2, 3].map((n) => ({ series: series("goapi_build_info", { ...pod(n), version: "1.0.0", commit: "abc", goversion: "go1.26.8" }), values: "1x80" })),
    checks: [{ at: "16m", firing: [{ labels: {}, value: "3" }] }],
  },
  {
    alert: "GoapiAtMaxReplicas",
    kind: "fires",
    what: "a canary's stable pods at the maximum, the candidate's below it",
    series: [1, 2, 3, 4].map((n) => ({
      series: series("goapi_build_info", { ...pod(n), service: n <= 3 ? "goapi-primary" : "goapi-canary", version: "1.0.0", commit: "abc", goversion: "go1.26.8" }),
      values: "1x80",
    })),
    checks: [{ at: "16m", firing: [{ labels: { service: "goapi-primary" }, value: "3" }] }],
  },
  {
    alert: "GoapiAtMaxReplicas",
    kind: "quiet",
    what: "a canary's stable and candidate pods, three in all, each below the maximum",
    series: [1, 2, 3].map((n) => ({
      series: series("goapi_build_info", { ...pod(n), service: n <= 2 ? "goapi-primary" : "goapi-canary", version: "1.0.0", commit: "abc", goversion: "go1.26.8" }),
      values: "1x80",
    })),
    checks: [{ at: "16m", firing: [] }],
  },
  {
    alert: "GoapiAtMaxReplicas",
    kind: "quiet",
    what: "two pods",
    series: [1, 2].map((n) => ({ series: series("goapi_build_info", { ...pod(n), version: "1.0.0", commit: "abc", goversion: "go1.26.8" }), values: "1x80" })),
    checks: [{ at: "16m", firing: [] }],
  },
  {
    alert: "GoapiAtMaxReplicas",
    kind: "for",
    what: "three pods: not before 15m, then firing",
    series: [1, 2, 3].map((n) => ({ series: series("goapi_build_info", { ...pod(n), version: "1.0.0", commit: "abc", goversion: "go1.26.8" }), values: "1x80" })),
    checks: [
      { at: "14m45s", firing: [] },
      { at: "15m15s", firing: [{ labels: {}, value: "3" }] },
    ],
  },
  {
    alert: "GoapiMigrationFailed",
    kind: "fires",
    what: "a migration Job with a failed pod",
    series: [{ series: series("kube_job_status_failed", { namespace: "goapi", job_name: "goapi-migrate-1a2b3c4d" }), values: "1x10" }],
    checks: [{ at: "0m", firing: [{ labels: { job_name: "goapi-migrate-1a2b3c4d" }, value: "1" }] }],
  },
  {
    alert: "GoapiMigrationFailed",
    kind: "quiet",
    what: "a migration Job without failed pods, another namespace's and another Job's failure",
    series: [
      { series: series("kube_job_status_failed", { namespace: "goapi", job_name: "goapi-migrate-1a2b3c4d" }), values: "0x10" },
      { series: series("kube_job_status_failed", { namespace: "other", job_name: "goapi-migrate-5e6f7a8b" }), values: "1x10" },
      { series: series("kube_job_status_failed", { namespace: "goapi", job_name: "backup-1a2b3c4d" }), values: "1x10" },
    ],
    checks: [{ at: "2m", firing: [] }],
  },
  {
    alert: "GoapiMigrationFailed",
    kind: "for",
    what: "no delay (for 0s): quiet before the failure, firing at it",
    // 0 for five samples (0s to 1m), then 1.
    series: [{ series: series("kube_job_status_failed", { namespace: "goapi", job_name: "goapi-migrate-1a2b3c4d" }), values: "0x4 1x10" }],
    checks: [
      { at: "1m", firing: [] },
      { at: "1m15s", firing: [{ labels: { job_name: "goapi-migrate-1a2b3c4d" }, value: "1" }] },
    ],
  },
];

/** An annotation as Prometheus renders it, for the templates the rules use. */
function render(template: string, labels: Labels, value: string): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? "").replace(/\{\{ \$value( \| humanize(Percentage|Duration))? \}\}/g, value);
}

function testGroup(s: Scenario, rule: Rule) {
  return {
    name: `${s.alert} ${s.kind}: ${s.what}`,
    interval: "15s",
    input_series: s.series,
    alert_rule_test: s.checks.map((c) => ({
      eval_time: c.at,
      alertname: s.alert,
      exp_alerts: c.firing.map((f) => {
        const labels = { ...f.labels, ...rule.labels };
        return {
          exp_labels: labels,
          exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, render(v, labels, f.value)])),
        };
      }),
    })),
  };
}

let group: RuleGroup;
beforeAll(async () => {
  const run = await runAsSetUp("local");
  const [g] = k8s.prometheusRule(run.declared).spec.groups ?? [];
  if (g === undefined) throw new Error("no rule group");
  group = g;
});

const ruleOf = (alert: string): Rule => {
  const r = group.rules?.find((x) => x.alert === alert);
  if (r === undefined) throw new Error(`no rule ${alert}`);
  return r;
};

describe("the alert rules under promtool", () => {
  it("have a firing, a quiet and a `for` test each", () => {
    for (const alert of alertNames) {
      const kinds = new Set(scenarios.filter((s) => s.alert === alert).map((s) => s.kind));
      expect({ alert, kinds: [...kinds].sort() }).toEqual({ alert, kinds: ["fires", "for", "quiet"] });
    }
  });

  it("are valid rules (promtool check rules)", () => {
    const r = promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups: [group] } });
    expect(r.output).toContain("SUCCESS: 8 rules found");
    expect(r.code).toBe(0);
  });

  it("pass every test (promtool test rules)", () => {
    const tests = { rule_files: ["rules.yaml"], evaluation_interval: "15s", tests: scenarios.map((s) => testGroup(s, ruleOf(s.alert))) };
    const r = promtool(["test", "rules", "tests.yaml"], { "rules.yaml": { groups: [group] }, "tests.yaml": tests });
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });
});

describe("the alerts' annotations", () => {
  // What each summary is about: the label of the route, pod or Job that fired, or the Deployment.
  const subjects: Record<AlertName, string> = {
    GoapiHighErrorRate: "{{ $labels.route }}",
    GoapiHighLatency: "{{ $labels.route }}",
    GoapiHighCpu: "{{ $labels.pod }}",
    GoapiNoReadyPods: `${target.job} in ${target.namespace}`,
    GoapiPodRestarting: "{{ $labels.pod }}",
    GoapiDatabaseUnavailable: "{{ $labels.pod }}",
    GoapiAtMaxReplicas: `${target.job} in ${target.namespace}`,
    GoapiMigrationFailed: "{{ $labels.job_name }}",
  };

  it.each(alertNames.map((a) => [a]))("%s: a summary of what fired, a description of where and since when, a link to its runbook entry", (alert) => {
    const r = ruleOf(alert);
    expect(r.annotations?.summary).toContain(subjects[alert]);
    const description = r.annotations?.description ?? "";
    expect(description).toContain(target.namespace);
    expect(description).toContain(subjects[alert]);
    if (r.for !== "0s") {
      expect(description).toContain(`for ${String(r.for)}`);
    }
    // The local stack names no runbook URL: the repository's docs/runbook.md, at the heading "## <alert>".
    expect(r.annotations?.runbook_url).toBe(`docs/runbook.md#${alert.toLowerCase()}`);
  });
});

