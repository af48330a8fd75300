// goapi:observability: the seeds' thresholds by default, every bad input
// refused with its key and a clear message.
import { loadSettings, SettingsError } from "../components/settings";
import { tracedServiceName, tracingOf } from "../components/tracing";
import { minimal } from "./helpers/settings-config";

const observability = (o: unknown) => ({ ...minimal, observability: JSON.stringify(o) });
const tracing = (t: Record<string, unknown>) => observability({ tracing: { endpoint: "http://otel-collector.observability.svc:4318", collector: { namespace: "observability" }, ...t } });

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadSettings("local", raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
  }
  throw new Error("configuration was accepted");
}

describe("goapi:observability", () => {
  it("defaults to the seeds' thresholds, a dashboard for Grafana's sidecar, and no tracing", () => {
    expect(loadSettings("local", minimal).observability).toEqual({
      prometheusUrl: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
      prometheusLabels: {},
      alerts: {
        cpu: { percentOfLimit: 80, for: "5m" },
        latency: { p99Milliseconds: 500, window: "5m", for: "5m" },
        errors: { percent: 5, window: "1m", for: "1m" },
        noReadyPods: { for: "1m" },
        restarts: { count: 2, window: "15m" },
        database: { for: "1m" },
        maxReplicas: { for: "15m" },
      },
      dashboard: { enabled: true, labels: { grafana_dashboard: "1" } },
    });
  });

  it("takes every setting", () => {
    const o = {
      prometheusUrl: "https://prometheus.example.com:9443/",
      prometheusLabels: { release: "kube-prometheus-stack" },
      runbookUrl: "https://github.com/acme/goapi/blob/main/docs/runbook.md",
      alerts: {
        cpu: { percentOfLimit: 90, for: "10m" },
        latency: { p99Milliseconds: 250, window: "10m", for: "2m" },
        errors: { percent: 0.5, window: "2m", for: "0s" },
        noReadyPods: { for: "30s" },
        restarts: { count: 5, window: "1h" },
        database: { for: "2m" },
        maxReplicas: { for: "1h30m" },
      },
      dashboard: { enabled: false, labels: { "grafana.example.com/dashboard": "yes" } },
      tracing: {
        endpoint: "https://otel.example.com",
        sampleRatio: 0.25,
        collector: { cidrs: ["10.2.0.0/16"] },
      },
    };
    expect(loadSettings("local", observability(o)).observability).toEqual(o);
  });

  it("samples a tenth of new traces unless told otherwise", () => {
    expect(loadSettings("local", tracing({})).observability.tracing?.sampleRatio).toBe(0.1);
  });

  it.each([
    ["a CPU share of 0", { alerts: { cpu: { percentOfLimit: 0 } } }, "goapi:observability.alerts.cpu.percentOfLimit:"],
    ["a CPU share above 100", { alerts: { cpu: { percentOfLimit: 101 } } }, "goapi:observability.alerts.cpu.percentOfLimit:"],
    ["a CPU share as text", { alerts: { cpu: { percentOfLimit: "80%" } } }, "goapi:observability.alerts.cpu.percentOfLimit:"],
    ["a duration Prometheus cannot read", { alerts: { cpu: { for: "5 minutes" } } }, "goapi:observability.alerts.cpu.for: must be a Prometheus duration such as 30s, 5m or 1h"],
    ["a P99 at the largest bucket", { alerts: { latency: { p99Milliseconds: 2500 } } }, "goapi:observability.alerts.latency.p99Milliseconds: must be below 2500: the latency histogram's largest bucket ends at 2.5s"],
    ["a P99 of 0", { alerts: { latency: { p99Milliseconds: 0 } } }, "goapi:observability.alerts.latency.p99Milliseconds:"],
    ["a fractional P99", { alerts: { latency: { p99Milliseconds: 250.5 } } }, "goapi:observability.alerts.latency.p99Milliseconds:"],
    ["a latency window too short to rate", { alerts: { latency: { window: "30s" } } }, "goapi:observability.alerts.latency.window: must be at least 60s, four scrape intervals: a rate needs samples"],
    ["an error share of 0", { alerts: { errors: { percent: 0 } } }, "goapi:observability.alerts.errors.percent:"],
    ["an error share above 100", { alerts: { errors: { percent: 120 } } }, "goapi:observability.alerts.errors.percent:"],
    ["an error window too short to rate", { alerts: { errors: { window: "45s" } } }, "goapi:observability.alerts.errors.window: must be at least 60s"],
    ["an error window Prometheus cannot read", { alerts: { errors: { window: "1min" } } }, "goapi:observability.alerts.errors.window: must be a Prometheus duration"],
    ["no restarts", { alerts: { restarts: { count: 0 } } }, "goapi:observability.alerts.restarts.count:"],
    ["a restart window Prometheus cannot read", { alerts: { restarts: { window: "-15m" } } }, "goapi:observability.alerts.restarts.window: must be a Prometheus duration"],
    ["a bad readiness for", { alerts: { noReadyPods: { for: "1" } } }, "goapi:observability.alerts.noReadyPods.for: must be a Prometheus duration"],
    ["a bad database for", { alerts: { database: { for: "soon" } } }, "goapi:observability.alerts.database.for: must be a Prometheus duration"],
    ["a bad ceiling for", { alerts: { maxReplicas: { for: "15" } } }, "goapi:observability.alerts.maxReplicas.for: must be a Prometheus duration"],
    ["an unknown alert", { alerts: { memory: { percentOfLimit: 90 } } }, "goapi:observability.alerts.memory: is not a setting of this program (a typo?)"],
    ["a misspelt threshold", { alerts: { cpu: { percent: 90 } } }, "goapi:observability.alerts.cpu.percent: is not a setting of this program (a typo?)"],
    ["an unknown key", { alert: {} }, "goapi:observability.alert: is not a setting of this program (a typo of goapi:observability.alerts?)"],
    ["a label key with a space", { prometheusLabels: { "my release": "x" } }, "goapi:observability.prometheusLabels.my release: must be a Kubernetes label key"],
    ["a label value with a space", { prometheusLabels: { release: "kube prometheus" } }, "goapi:observability.prometheusLabels.release: must be a Kubernetes label value"],
    ["a label value too long", { dashboard: { labels: { grafana_dashboard: "x".repeat(64) } } }, "goapi:observability.dashboard.labels.grafana_dashboard: must be a Kubernetes label value"],
    ["a dashboard switch that is not one", { dashboard: { enabled: "yes" } }, "goapi:observability.dashboard.enabled:"],
    ["a runbook that is no URL", { runbookUrl: "docs/runbook.md" }, "goapi:observability.runbookUrl: must be an http(s) URL of docs/runbook.md"],
    ["a runbook on FTP", { runbookUrl: "ftp://example.com/runbook.md" }, "goapi:observability.runbookUrl: must be an http(s) URL"],
    ["an endpoint without scheme", { tracing: { endpoint: "otel-collector:4318", collector: { namespace: "observability" } } }, "goapi:observability.tracing.endpoint: must be the collector's OTLP/HTTP URL"],
    ["a gRPC endpoint", { tracing: { endpoint: "grpc://otel-collector:4317", collector: { namespace: "observability" } } }, "goapi:observability.tracing.endpoint: must be the collector's OTLP/HTTP URL"],
    ["no endpoint", { tracing: { collector: { namespace: "observability" } } }, "goapi:observability.tracing.endpoint:"],
    ["credentials in the endpoint", { tracing: { endpoint: "https://user:hunter2@otel.example.com", collector: { cidrs: ["10.0.0.0/8"] } } }, "goapi:observability.tracing.endpoint: must not carry credentials: it goes into a ConfigMap, which is plain text"],
    ["a ratio above 1", { tracing: { endpoint: "http://otel:4318", sampleRatio: 1.5, collector: { namespace: "o" } } }, "goapi:observability.tracing.sampleRatio:"],
    ["a negative ratio", { tracing: { endpoint: "http://otel:4318", sampleRatio: -0.1, collector: { namespace: "o" } } }, "goapi:observability.tracing.sampleRatio:"],
    ["a ratio as a percentage", { tracing: { endpoint: "http://otel:4318", sampleRatio: "10%", collector: { namespace: "o" } } }, "goapi:observability.tracing.sampleRatio:"],
    ["an endpoint without its collector", { tracing: { endpoint: "http://otel:4318" } }, "goapi:observability.tracing.collector: is required with tracing.endpoint"],
    ["a collector in the cluster and outside", { tracing: { endpoint: "http://otel:4318", collector: { namespace: "o", cidrs: ["10.0.0.0/8"] } } }, "goapi:observability.tracing.collector: needs exactly one of namespace"],
    ["a collector nowhere", { tracing: { endpoint: "http://otel:4318", collector: {} } }, "goapi:observability.tracing.collector: needs exactly one of namespace"],
    ["pod labels outside the cluster", { tracing: { endpoint: "http://otel:4318", collector: { cidrs: ["10.0.0.0/8"], podLabels: { app: "otel" } } } }, "goapi:observability.tracing.collector.podLabels: selects pods in collector.namespace, which is not set"],
    ["a bad collector namespace", { tracing: { endpoint: "http://otel:4318", collector: { namespace: "Observability" } } }, "goapi:observability.tracing.collector.namespace: must be a namespace name"],
    ["a bad collector CIDR", { tracing: { endpoint: "http://otel:4318", collector: { cidrs: ["10.0.0.0"] } } }, "goapi:observability.tracing.collector.cidrs.0: must be a CIDR such as 10.0.0.0/16"],
    ["no collector CIDR", { tracing: { endpoint: "http://otel:4318", collector: { cidrs: [] } } }, "goapi:observability.tracing.collector.cidrs:"],
    ["an unknown tracing key", { tracing: { endpoint: "http://otel:4318", collector: { namespace: "o" }, protocol: "grpc" } }, "goapi:observability.tracing.protocol: is not a setting of this program (a typo?)"],
    ["a Prometheus URL without scheme", { prometheusUrl: "prometheus.monitoring.svc:9090" }, "goapi:observability.prometheusUrl: must be the URL of Prometheus' HTTP API"],
    ["credentials in the Prometheus URL", { prometheusUrl: "http://admin:hunter2@prometheus:9090" }, "goapi:observability.prometheusUrl: must not carry credentials: it goes into the Canary's MetricTemplates and the ScaledObject, which are plain text"],
    ["a user name alone in the Prometheus URL", { prometheusUrl: "http://admin@prometheus:9090" }, "goapi:observability.prometheusUrl: must not carry credentials"],
    ["a password alone in the Prometheus URL", { prometheusUrl: "http://:hunter2@prometheus:9090" }, "goapi:observability.prometheusUrl: must not carry credentials"],
    ["a Prometheus URL of another scheme ending in http", { prometheusUrl: "xhttp://prometheus:9090" }, "goapi:observability.prometheusUrl: must be the URL of Prometheus' HTTP API"],
    ["a Prometheus URL of another scheme starting with http", { prometheusUrl: "httpx://prometheus:9090" }, "goapi:observability.prometheusUrl: must be the URL of Prometheus' HTTP API"],
    ["observability given as a word", "on", "goapi:observability:"],
  ])("refuses %s", (_what, o, message) => {
    expect(problemsOf(observability(o))).toContainEqual(expect.stringContaining(message));
  });

  it.each(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"])(
    "keeps %s, which the program sets, out of app.env",
    (name) => {
      expect(problemsOf({ ...minimal, app: JSON.stringify({ env: { [name]: "x" } }) })).toEqual([`goapi:app.env.${name}: is set by the program from other keys; set those instead`]);
    },
  );

  it("never echoes the endpoint's credentials", () => {
    const problems = problemsOf(tracing({ endpoint: "https://user:hunter2@otel.example.com" }));
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("reports a Prometheus URL that is no URL at all alone, without the rules that read it", () => {
    expect(problemsOf(observability({ prometheusUrl: "http://" }))).toEqual([expect.stringMatching(/^goapi:observability\.prometheusUrl: must be the URL of Prometheus' HTTP API/)]);
  });

  it("never echoes the Prometheus URL's credentials", () => {
    expect(problemsOf(observability({ prometheusUrl: "http://admin:hunter2@prometheus:9090" })).join("\n")).not.toContain("hunter2");
  });
});

describe("tracingOf: goapi:observability.tracing as the pods get it", () => {
  it("names the service and the stack, the build's version when there is one, and the collector in the cluster", () => {
    const settings = loadSettings("local", tracing({ sampleRatio: 0.5, collector: { namespace: "observability", podLabels: { app: "otel" } } }));
    const traced = {
      endpoint: "http://otel-collector.observability.svc:4318",
      sampleRatio: 0.5,
      serviceName: "goapi",
      attributes: { "deployment.environment.name": "local", "service.version": "abc123def456" },
      collector: { port: 4318, namespace: "observability", podLabels: { app: "otel" } },
    };
    expect(tracedServiceName).toBe("goapi");
    expect(tracingOf(settings, "abc123def456")).toStrictEqual(traced);
    // A prebuilt image: the app reports its own build's version.
    expect(tracingOf(settings)).toStrictEqual({ ...traced, attributes: { "deployment.environment.name": "local" } });
  });

  it("lets the pods reach a collector outside the cluster by its CIDRs, on the endpoint's scheme's port", () => {
    const settings = loadSettings("local", tracing({ endpoint: "https://otel.example.com", collector: { cidrs: ["10.2.0.0/16"] } }));
    expect(tracingOf(settings)?.collector).toStrictEqual({ port: 443, cidrs: ["10.2.0.0/16"] });
  });

  it("traces nothing without goapi:observability.tracing", () => {
    expect(tracingOf(loadSettings("local", minimal), "abc123def456")).toBeUndefined();
  });

  it("refuses a tracing endpoint without its collector, which the settings never let through", () => {
    const { observability: o } = loadSettings("local", tracing({}));
    const endpoint = o.tracing?.endpoint ?? "";
    expect(() => tracingOf({ stack: "local", observability: { ...o, tracing: { endpoint, sampleRatio: 0.1 } } })).toThrow(
      "settings.ts lets no tracing endpoint without its collector through",
    );
  });
});
