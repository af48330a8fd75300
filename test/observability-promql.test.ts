// Every PromQL expression the program ships (the alert rules and the
// dashboard's panels) parses, and names only metrics the app exposes
// (app/internal/metrics/exposed.txt, which the app's tests hold the binary
// to), besides the one kube-state-metrics series the migration alert reads.
// Names come from the Prometheus project's own PromQL grammar
// (@prometheus-io/lezer-promql); validity from promtool, Prometheus' parser.
import * as fs from "node:fs";
import * as path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { clusterMetrics } from "../components/alerts";
import { rateInterval } from "../components/dashboard";
import { k8s } from "./helpers/manifests";
import { promtool } from "./helpers/promtool";
import type { StackRun } from "./helpers/stack";
import { runAsSetUp } from "./helpers/user-setup";

const exposedFile = path.join(__dirname, "..", "app", "internal", "metrics", "exposed.txt");

/** The families the app promises: name -> type. */
function exposed(): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of fs.readFileSync(exposedFile, "utf8").split("\n")) {
    const [name, type] = line.trim().split(" ");
    if (name !== undefined && name !== "" && !name.startsWith("#") && type !== undefined) {
      families.set(name, type);
    }
  }
  return families;
}

/** The series names a family of this type has. */
const seriesOf = (name: string, type: string) => (type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]);

/** The metric names an expression selects, and whether it parses. */
function namesIn(expr: string): { names: string[]; errors: boolean } {
  const names: string[] = [];
  let errors = false;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors = true;
      }
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
        names.push(expr.slice(node.from, node.to));
      }
      if (node.name === "LabelName" && expr.slice(node.from, node.to) === "__name__") {
        names.push("__name__ matcher");
      }
    },
  });
  return { names, errors };
}

/** Grafana replaces its interval variable before Prometheus sees a query. */
const asPrometheusSees = (expr: string) => expr.replaceAll(rateInterval, "5m");

interface Shipped {
  where: string;
  expr: string;
}

function shippedBy(stack: string, run: StackRun): Shipped[] {
  const rules = (k8s.prometheusRule(run.declared).spec.groups ?? []).flatMap((g) => g.rules ?? []);
  const board = JSON.parse(Object.values(k8s.configMap(run.declared, "goapi-dashboard").data ?? {})[0] ?? "{}") as {
    panels: { title: string; targets: { refId: string; expr: string }[] }[];
  };
  return [
    ...rules.map((r) => ({ where: `${stack} alert ${r.alert ?? "?"}`, expr: String(r.expr) })),
    ...board.panels.flatMap((p) => p.targets.map((t) => ({ where: `${stack} panel "${p.title}" ${t.refId}`, expr: asPrometheusSees(t.expr) }))),
  ];
}

const stacks = ["local", "dev", "prod"];
const shipped: Shipped[] = [];
beforeAll(async () => {
  for (const stack of stacks) {
    shipped.push(...shippedBy(stack, await runAsSetUp(stack)));
  }
});

describe("the program's PromQL", () => {
  const allowed = () => new Set([...[...exposed()].flatMap(([name, type]) => seriesOf(name, type)), ...clusterMetrics]);

  it("is found: every stack's alerts and dashboard panels", () => {
    for (const stack of stacks) {
      expect(shipped.filter((s) => s.where.startsWith(`${stack} alert`))).toHaveLength(8);
      expect(shipped.filter((s) => s.where.startsWith(`${stack} panel`)).length).toBeGreaterThanOrEqual(8);
    }
  });

  it("parses with Prometheus' PromQL grammar", () => {
    expect(shipped.filter((s) => namesIn(s.expr).errors).map((s) => s.where)).toEqual([]);
  });

  it("names only metrics the app exposes, and the migration Job's from kube-state-metrics", () => {
    const ok = allowed();
    const unknown = shipped.flatMap((s) => namesIn(s.expr).names.filter((n) => !ok.has(n)).map((n) => `${s.where}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it("passes promtool check rules, the dashboard's queries as recording rules", () => {
    const groups = stacks.map((stack) => ({
      name: stack,
      rules: shipped
        .filter((s) => s.where.startsWith(`${stack} `))
        .map((s, i) => (s.where.includes(" alert ") ? { alert: s.where.split(" ").at(-1), expr: s.expr } : { record: `dashboard:query_${String(i)}`, expr: s.expr })),
    }));
    const r = promtool(["check", "rules", "--lint=none", "rules.yaml"], { "rules.yaml": { groups } });
    expect(r.output).toContain(`SUCCESS: ${String(shipped.length)} rules found`);
    expect(r.code).toBe(0);
  });

  // The checks themselves: each catches what it is for.
  it("catches a metric the app does not expose, and a syntax error", () => {
    const ok = allowed();
    expect(namesIn('rate(http_request_total{job="goapi"}[5m])').names.filter((n) => !ok.has(n))).toEqual(["http_request_total"]);
    expect(namesIn('{__name__="goapi_ready"}').names.filter((n) => !ok.has(n))).toEqual(["__name__ matcher"]);
    expect(namesIn("sum(rate(http_requests_total[5m])").errors).toBe(true);
    const r = promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups: [{ name: "x", rules: [{ record: "x", expr: "sum(rate(http_requests_total[5m])" }] }] } });
    expect(r.code).not.toBe(0);
  });
});
