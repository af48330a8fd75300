// The dashboard as Grafana reads it (components/dashboard.ts): the queries it
// runs, what each axis measures, which series a legend names, and a layout
// that shows every panel. test/observability-promql.test.ts parses the same
// queries with Prometheus' grammar and promtool.
import { alertNames } from "../components/alerts";
import { dashboard, type DashboardTarget } from "../components/dashboard";

// Values no default has, so that each one is seen where it lands.
const target: DashboardTarget = { namespace: "shop", job: "goapi-api", title: "goapi (shop)", cpuLimitCores: 0.25, minReplicas: 3, maxReplicas: 7 };
const board = dashboard(target);
const sel = 'namespace="shop",job="goapi-api"';
const rate = (metric: string, extra = "") => `rate(${metric}{${sel}${extra}}[$__rate_interval])`;

describe("the dashboard's panels", () => {
  it("run these queries, each on the stack's own namespace and job, and the HPA's bounds and CPU limit from its settings", () => {
    expect(board.panels.map((p) => [p.title, p.targets.map((t) => t.expr)])).toEqual([
      ["Requests per route", [`sum by (route) (${rate("http_requests_total")})`]],
      [
        "Errors per route (5xx share)",
        [`sum by (route) (${rate("http_requests_total", ',code=~"5.."')}) / sum by (route) (${rate("http_requests_total")})`],
      ],
      [
        "Latency per route (P50, P99)",
        [0.5, 0.99].map((q) => `histogram_quantile(${String(q)}, sum by (route, le) (${rate("http_request_duration_seconds_bucket")}))`),
      ],
      [
        "Pods and the HPA's bounds",
        [`count by (version) (goapi_build_info{${sel}})`, `sum(goapi_ready{${sel}})`, "vector(3)", "vector(7)"],
      ],
      ["CPU per pod (share of the limit)", [`${rate("process_cpu_seconds_total")} / 0.25`]],
      ["Memory per pod", [`process_resident_memory_bytes{${sel}}`]],
      [
        "Database pool connections",
        [`sum by (pool, state) (db_pool_connections{${sel}})`, `sum by (pool) (db_pool_max_connections{${sel}})`, `sum(goapi_database_up{${sel}})`],
      ],
      ["Database pool waits", [`sum by (pool) (${rate("db_pool_empty_acquires_total")})`, `sum by (pool) (${rate("db_pool_acquire_wait_seconds_total")})`]],
    ]);
  });

  it("are time series, each in the unit of its queries, none below 0", () => {
    expect(board.panels.map((p) => [p.title, p.type, p.fieldConfig])).toEqual(
      (
        [
          ["Requests per route", "reqps"],
          ["Errors per route (5xx share)", "percentunit"],
          ["Latency per route (P50, P99)", "s"],
          ["Pods and the HPA's bounds", "short"],
          ["CPU per pod (share of the limit)", "percentunit"],
          ["Memory per pod", "bytes"],
          ["Database pool connections", "short"],
          ["Database pool waits", "short"],
        ] as const
      ).map(([title, unit]) => [title, "timeseries", { defaults: { unit, min: 0 }, overrides: [] }]),
    );
  });

  it("name in each legend the labels that tell its series apart, and the quantile a latency line shows", () => {
    const legends = board.panels.flatMap((p) => p.targets.map((t) => [t.expr, t.legendFormat]));
    expect(legends).toEqual([
      [expect.any(String), "{{route}}"],
      [expect.any(String), "{{route}}"],
      [expect.any(String), "P50 {{route}}"],
      [expect.any(String), "P99 {{route}}"],
      [expect.any(String), "pods, version {{version}}"],
      [expect.any(String), "ready"],
      [expect.any(String), "HPA minReplicas"],
      [expect.any(String), "HPA maxReplicas"],
      [expect.any(String), "{{pod}}"],
      [expect.any(String), "{{pod}}"],
      [expect.any(String), "{{pool}} {{state}}"],
      [expect.any(String), "{{pool}} maximum"],
      [expect.any(String), "pods reaching the database"],
      [expect.any(String), "{{pool}} waits/s"],
      [expect.any(String), "{{pool}} waiting s/s"],
    ]);
    // Whatever the legends say, a label they name is one the query keeps.
    for (const [expr, legend] of legends) {
      const kept = /\w+ by \(([^)]*)\)/.exec(String(expr))?.[1]?.split(", ") ?? ["pod"];
      for (const [, label] of String(legend).matchAll(/\{\{(\w+)\}\}/g)) {
        expect(kept).toContain(label);
      }
    }
  });

  it("give each of a panel's queries its own letter, in order", () => {
    for (const p of board.panels) {
      expect(p.targets.map((t) => t.refId)).toEqual(["A", "B", "C", "D"].slice(0, p.targets.length));
    }
  });

  it("show the exemplars on the latency lines only, as the latency panel's description says", () => {
    expect(board.panels.flatMap((p) => p.targets.filter((t) => t.exemplar === true).map((t) => t.legendFormat))).toEqual(["P50 {{route}}", "P99 {{route}}"]);
    expect(board.panels[2]?.description).toMatch(/exemplars/);
  });

  it("each explain themselves in a sentence, naming the stack's CPU limit and only alerts that exist", () => {
    for (const p of board.panels) {
      expect(p.description).toMatch(/^[A-Z].*\.$/);
    }
    expect(board.panels[4]?.description).toContain("(0.25 cores)");
    const named = board.panels.flatMap((p) => [...p.description.matchAll(/Goapi\w+/g)].map((m) => m[0]));
    expect(named).toEqual(["GoapiHighErrorRate", "GoapiHighCpu"]);
    expect(alertNames).toEqual(expect.arrayContaining(named));
  });

  it("read from the dashboard's one Prometheus data source variable", () => {
    expect(board.templating.list).toEqual([{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }]);
    for (const p of board.panels) {
      expect(p.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
    }
  });

  it("sit two to a row, 12 of Grafana's 24 columns and 8 rows high each, in order, none over another", () => {
    expect(board.panels.map((p) => [p.id, p.gridPos])).toEqual(
      board.panels.map((_, i) => [i + 1, { x: i % 2 === 0 ? 0 : 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 }]),
    );
  });
});

describe("the dashboard", () => {
  it("carries the stack's title, and a uid of its namespace", () => {
    expect(board.title).toBe("goapi (shop)");
    expect(board.uid).toBe("goapi-shop");
  });

  it("keeps its uid within Grafana's 40 characters for the longest namespace", () => {
    const long = "n".repeat(63);
    expect(dashboard({ ...target, namespace: long }).uid).toBe(`goapi-${long}`.slice(0, 40));
    expect(dashboard({ ...target, namespace: "n".repeat(34) }).uid).toBe(`goapi-${"n".repeat(34)}`);
  });

  it("cannot be edited in Grafana, where a change would be lost at the sidecar's next load, and shows the last hour, refreshed every 30 s", () => {
    expect({ ...board, panels: undefined, templating: undefined, uid: undefined, title: undefined }).toEqual({
      tags: ["goapi"],
      editable: false,
      schemaVersion: 39,
      time: { from: "now-1h", to: "now" },
      refresh: "30s",
    });
  });
});
