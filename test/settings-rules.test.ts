// Each condition of the settings' rules on its own, from both sides: a rule
// between keys stays quiet while a key it reads has a problem of its own (so
// that problem is reported alone), each message reads exactly as the stack
// file's author sees it, and the helpers behind the messages keep their
// bounds. Mutation testing found these unpinned (docs/testing.md).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { explainIssue, nearestKey, quoteHint } from "../components/config-messages";
import { collectorPort } from "../components/observability-settings";
import { loadSettings, SettingsError, stackConfig } from "../components/settings";
import { json, minimal, production } from "./helpers/settings-config";


/** The problems loadSettings reports for `raw`; [] when it is accepted. */
function problemsOf(raw: Record<string, string>, stack = "local"): string[] {
  try {
    loadSettings(stack, raw);
    return [];
  } catch (e) {
    if (!(e instanceof SettingsError)) {
      throw e;
    }
    return e.message.split("\n").slice(1).map((l) => l.trim());
  }
}

const problems = (change: Record<string, string>, stack = "local") => problemsOf({ ...minimal, ...change }, stack);

const external = (fields: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  database: json({ external: { host: "db.example.com", ...fields }, ...rest }),
  databasePassword: "pw",
});

const digest = `ghcr.io/acme/goapi@sha256:${"a".repeat(64)}`;
const refMessage = "goapi:image.ref: must pin a digest: <repository>@sha256:<64 hex digits>";
const registryMessage = "goapi:image.registry: must be a registry address such as ghcr.io/acme or localhost:5001";

describe("the messages' helpers", () => {
  it("hints at quotes for a YAML number or boolean, and for nothing else", () => {
    expect(quoteHint(2)).toBe('write "2" in quotes (YAML reads 2 as a number)');
    expect(quoteHint(true)).toBe('write "true" in quotes (YAML reads true as a boolean)');
    expect(quoteHint("2")).toBeUndefined();
    expect(quoteHint(null)).toBeUndefined();
    expect(quoteHint([1])).toBeUndefined();
  });

  const messages = (schema: z.ZodType, input: unknown) => {
    const result = schema.safeParse(input, { error: explainIssue });
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it("names the bound of a number, and the count of a text or list", () => {
    expect(messages(z.number().min(1), 0)).toEqual(["must be at least 1"]);
    expect(messages(z.number().max(5), 6)).toEqual(["must be at most 5"]);
    expect(messages(z.string().min(2), "a")).toEqual(["must have at least 2"]);
    expect(messages(z.string().max(3), "abcd")).toEqual(["must have at most 3"]);
    expect(messages(z.array(z.string()).max(1), ["a", "b"])).toEqual(["must have at most 1"]);
  });

  it("names a type it has no YAML word for as it is", () => {
    expect(messages(z.bigint(), 1)).toEqual(["must be a bigint"]);
  });

  it("suggests a known key at most a third of its letters off, and at least one letter off for short keys", () => {
    expect(nearestKey("abcdxx", ["abcdef"])).toBe("abcdef");
    expect(nearestKey("abcxxx", ["abcdef"])).toBeUndefined();
    expect(nearestKey("ax", ["ab"])).toBe("ab");
    expect(nearestKey("xy", ["ab"])).toBeUndefined();
    expect(nearestKey("x", ["abc"])).toBeUndefined();
    expect(nearestKey("xab", ["ab"])).toBe("ab");
    expect(nearestKey("xxxxab", ["ab"])).toBeUndefined();
    expect(nearestKey("abxxxx", ["ab"])).toBeUndefined();
  });

  it("suggests the nearest key, and the first of equally near ones", () => {
    expect(nearestKey("abcdef", ["abcdxx", "abcdex", "abcdef"])).toBe("abcdef");
    expect(nearestKey("abcdef", ["abcdex", "abcdxf"])).toBe("abcdex");
  });
});

describe("loadSettings' messages", () => {
  it.each([
    ["a boolean where text belongs", { ingress: json({ host: true }) }, 'goapi:ingress.host: must be text: write "true" in quotes (YAML reads true as a boolean)'],
    ["a list where text belongs", { ingress: json({ host: ["a.b"] }) }, 'goapi:ingress.host: must be text: not ["a.b"]'],
    ["a mapping where text belongs", { ingress: json({ host: { name: "a.b" } }) }, 'goapi:ingress.host: must be text: not {"name":"a.b"}'],
    ["app.env given as a word", { app: json({ env: "x" }) }, "goapi:app.env: must be a YAML mapping (key: value lines)"],
    ["CIDRs given as a word", external({ cidrs: "10.0.0.0/8" }), "goapi:database.external.cidrs: must be a YAML list"],
    ["a share given as text", { observability: json({ alerts: { errors: { percent: "5" } } }) }, "goapi:observability.alerts.errors.percent: must be a number"],
    ["an empty list of collector CIDRs", { observability: json({ tracing: { endpoint: "http://otel:4318", collector: { cidrs: [] } } }) }, "goapi:observability.tracing.collector.cidrs: must have at least 1"],
    ["a CPU of 0 written as a number", { resources: json({ requests: { cpu: 0 } }) }, 'goapi:resources.requests.cpu: must be a Kubernetes quantity: write "0" in quotes (YAML reads 0 as a number)'],
    ["a CPU written as a boolean", { resources: json({ requests: { cpu: true } }) }, "goapi:resources.requests.cpu: must be a Kubernetes quantity such as 250m, 1, 128Mi or 1Gi, in quotes"],
    ["a bad repository", { image: json({ registry: "localhost:5001", repository: "Goapi" }) }, "goapi:image.repository: must be a lower-case repository path such as goapi"],
    ["a bad IngressClass", { ingress: json({ host: "a.b", className: "Traefik" }) }, "goapi:ingress.className: must be an IngressClass name"],
    ["a bad controller namespace", { ingress: json({ host: "a.b", controllerNamespace: "Traefik" }) }, "goapi:ingress.controllerNamespace: must be a namespace name"],
    ["a missing kube context", { kubeContext: "" }, "goapi:kubeContext: is required: the kubeconfig context of the target cluster"],
    ["an unknown sslmode", external({ sslmode: "on" }), "goapi:database.external.sslmode: must be one of disable, allow, prefer, require, verify-ca, verify-full"],
    ["a database host written as a number", external({ host: 5 }), 'goapi:database.external.host: must be text: write "5" in quotes (YAML reads 5 as a number)'],
    ["a statement timeout under 100 ms", { database: json({ inCluster: {}, statementTimeoutMilliseconds: 99 }) }, "goapi:database.statementTimeoutMilliseconds: must be at least 100"],
  ])("explains %s in one exact line", (_what, change, message) => {
    expect(problems(change)).toEqual([message]);
  });

  it("reports a missing kube context as required, not as empty", () => {
    const rest = Object.fromEntries(Object.entries(minimal).filter(([key]) => key !== "kubeContext"));
    expect(problemsOf(rest)).toEqual(["goapi:kubeContext: is required: the kubeconfig context of the target cluster"]);
  });

  it.each([
    ["123", undefined],
    ["Prod__EU", "prod-eu"],
    ["12prod", "prod"],
    ["A".repeat(40), "a".repeat(32)],
  ])("suggests a rename for the stack name %s only where one is valid", (stack, suggestion) => {
    const [line, ...rest] = problems({}, stack);
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^stack name '${stack}': must be lower-case letters`));
    if (suggestion === undefined) {
      expect(line).toMatch(/selector label$/);
    } else {
      expect(line).toMatch(new RegExp(`selector label, e\\.g\\. pulumi stack rename ${suggestion}$`));
    }
  });

  it("reports each misspelt key once, each in its own group", () => {
    expect(problems({ autoscaling: json({ minReplica: 2 }), app: json({ logLvl: "info" }) })).toEqual([
      "goapi:autoscaling.minReplica: is not a setting of this program (a typo of goapi:autoscaling.minReplicas?)",
      "goapi:app.logLvl: is not a setting of this program (a typo of goapi:app.logLevel?)",
    ]);
  });

  it("suggests a key inside optional and defaulted groups", () => {
    expect(problems(external({ sslMode: "require" }))).toEqual(["goapi:database.external.sslMode: is not a setting of this program (a typo of goapi:database.external.sslmode?)"]);
    expect(problems({ observability: json({ alerts: { cpu: { percentOfLimt: 90 } } }) })).toEqual([
      "goapi:observability.alerts.cpu.percentOfLimt: is not a setting of this program (a typo of goapi:observability.alerts.cpu.percentOfLimit?)",
    ]);
  });

  it("keeps the problem of a key a typo was meant for, unless it is only missing", () => {
    expect(problems({ autoscaling: json({ minReplica: 2, minReplicas: 0 }) })).toEqual([
      "goapi:autoscaling.minReplicas: must be at least 1",
      "goapi:autoscaling.minReplica: is not a setting of this program (a typo of goapi:autoscaling.minReplicas?)",
    ]);
  });
});

describe("loadSettings' plain string keys", () => {
  it("keeps values YAML would read as numbers, booleans or null as the text the CLI passed", () => {
    const s = loadSettings("local", {
      ...minimal,
      kubeContext: "true",
      kubeconfig: "null",
      namespace: "123",
      renderYamlTo: "0",
      registryUsername: "42",
      registryPassword: "false",
      apiToken: "1234567890123456",
      databasePassword: "7",
    });
    expect([s.kubeContext, s.kubeconfig, s.namespace, s.renderYamlTo, s.registryUsername]).toEqual(["true", "null", "123", "0", "42"]);
    expect([s.registryPassword, s.apiToken, s.databasePassword].every((v) => v !== undefined)).toBe(true);
  });

  it("treats an empty credential as unset", () => {
    expect(problems({ registryUsername: "bot", registryPassword: "" })).toEqual([
      "goapi:registryPassword: goes with the other registry credential: pulumi config set --secret goapi:registryPassword",
    ]);
    expect(problems({ registryUsername: "", registryPassword: "pw" })).toEqual(["goapi:registryUsername: goes with the other registry credential"]);
  });
});

describe("loadSettings' single keys", () => {
  it("defaults the metrics namespace to monitoring", () => {
    expect(loadSettings("local", minimal).metricsNamespace).toBe("monitoring");
  });

  it.each(["/", "/api", "/api/v1"])("takes the ingress path %s", (path) => {
    expect(problems({ ingress: json({ host: "a.b", path }) })).toEqual([]);
  });

  it.each(["api/v1", "/a b", "/api\t"])("refuses the ingress path %j", (path) => {
    expect(problems({ ingress: json({ host: "a.b", path }) })).toEqual(["goapi:ingress.path: must start with /"]);
  });

  it("takes TLS with only a Secret or only a cluster issuer", () => {
    expect(problems({ ingress: json({ host: "a.b", tls: { secretName: "tls" } }) })).toEqual([]);
    expect(problems({ ingress: json({ host: "a.b", tls: { clusterIssuer: "letsencrypt" } }) })).toEqual([]);
  });

  it.each([
    ["METRICS_PORT"],
    ["APP_ENV"],
    ["LOG_LEVEL"],
    ["DRAIN_DELAY"],
    ["SHUTDOWN_TIMEOUT"],
    ["MAX_BODY_BYTES"],
    ["PORT"],
    ["API_TOKEN"],
  ])("keeps %s, which the program sets from its own keys, out of app.env", (name) => {
    expect(problems({ app: json({ env: { [name]: "1" } }) })).toEqual([`goapi:app.env.${name}: is set by the program from other keys; set those instead`]);
  });
});

describe("rules between keys", () => {
  it("checks a group's rule beside an unknown key in that group", () => {
    expect(problems({ autoscaling: json({ minReplicas: 5, maxReplicas: 2, replicas: 3 }) })).toEqual([
      "goapi:autoscaling.replicas: is not a setting of this program (a typo?)",
      "goapi:autoscaling.minReplicas: (5) must not exceed maxReplicas (2)",
    ]);
  });

  it("compares replicas only when both counts are valid", () => {
    expect(problems({ autoscaling: json({ minReplicas: 101, maxReplicas: 3 }) })).toEqual(["goapi:autoscaling.minReplicas: must be at most 100"]);
    expect(problems({ autoscaling: json({ minReplicas: 5, maxReplicas: 2.5 }) })).toEqual(["goapi:autoscaling.maxReplicas: must be a whole number"]);
    // Out of bounds, the value still reaches the rule: only the guard keeps it quiet.
    expect(problems({ autoscaling: json({ minReplicas: 2, maxReplicas: 0 }) })).toEqual(["goapi:autoscaling.maxReplicas: must be at least 1"]);
  });

  it("compares a request with its limit only when both are valid quantities", () => {
    expect(problems({ resources: json({ requests: { cpu: 2000 }, limits: { cpu: "1" } }) })).toEqual([
      'goapi:resources.requests.cpu: must be a Kubernetes quantity: write "2000" in quotes (YAML reads 2000 as a number)',
    ]);
    expect(problems({ resources: json({ requests: { memory: "1Gi" }, limits: { memory: 64 } }) })).toEqual([
      'goapi:resources.limits.memory: must be a Kubernetes quantity: write "64" in quotes (YAML reads 64 as a number)',
    ]);
  });

  it("adds drain and shutdown only when both are valid", () => {
    expect(problems({ app: json({ drainDelaySeconds: 26 }) })).toEqual(["goapi:app.drainDelaySeconds: must be at most 25"]);
    expect(problems({ app: json({ shutdownTimeoutSeconds: 26 }) })).toEqual(["goapi:app.shutdownTimeoutSeconds: must be at most 25"]);
  });

  it("asks for a registry only when no ref is set, and not when the ref is broken", () => {
    expect(problems({ image: json({ ref: "bad" }) })).toEqual([refMessage]);
    expect(problems({ image: json({ registry: "https://ghcr.io" }) })).toEqual([registryMessage]);
  });

  it("asks for push credentials only for a build pushed to a remote registry", () => {
    const pushMessages = [
      "goapi:registryUsername: is required to push to ghcr.io/acme",
      "goapi:registryPassword: is required to push to ghcr.io/acme: pulumi config set --secret goapi:registryPassword",
    ];
    expect(problems({ image: json({ registry: "ghcr.io/acme" }) })).toEqual(pushMessages);
    expect(problems({ image: json({ registry: "ghcr.io/acme" }), registryUsername: "bot" })).toEqual([pushMessages[1]]);
    expect(problems({ image: json({ registry: "ghcr.io/acme" }), registryPassword: "pw" })).toEqual([pushMessages[0]]);
    expect(problems({ image: json({ ref: digest, registry: "ghcr.io/acme" }) })).toEqual([]);
    expect(problems({ registryUsername: "bot" })).toEqual([
      "goapi:registryPassword: goes with the other registry credential: pulumi config set --secret goapi:registryPassword",
    ]);
    expect(problems({ registryUsername: "bot", registryPassword: "pw" })).toEqual([]);
  });

  it.each(["localhost", "localhost/team", "localhost:5001", "127.0.0.1:5000/team", "registry.localhost:5000", "kind-registry:5000"])(
    "pushes to %s, a registry on the developer's own machine, without credentials",
    (registry) => {
      expect(problems({ image: json({ registry }) })).toEqual([]);
    },
  );

  it.each(["localhost.example.com", "mylocalhost:5000", "127.0.0.10:5000", "kind-registry.example.com/team"])("asks for push credentials for %s, which only looks local", (registry) => {
    expect(problems({ image: json({ registry }) })).toEqual([
      `goapi:registryUsername: is required to push to ${registry}`,
      `goapi:registryPassword: is required to push to ${registry}: pulumi config set --secret goapi:registryPassword`,
    ]);
  });

  it("leaves the credentials alone while the image's ref or registry is broken", () => {
    expect(problems({ image: json({ ref: "bad" }), registryUsername: "bot" })).toEqual([refMessage]);
    expect(problems({ image: json({ registry: "https://ghcr.io" }), registryUsername: "bot" })).toEqual([registryMessage]);
  });

  it("keeps the cache's tag free only while the cache is on", () => {
    expect(problems({ image: json({ registry: "localhost:5001", cache: false, tag: "buildcache" }) })).toEqual([]);
    expect(problems({ image: json({ registry: "localhost:5001", cache: "yes", tag: "buildcache" }) })).toEqual(["goapi:image.cache: must be true or false"]);
  });

  it("asks a production stack for TLS only when its ingress is readable", () => {
    expect(problemsOf({ ...production, ingress: json("api.example.com") }, "prod")).toEqual(["goapi:ingress: must be a YAML mapping (key: value lines)"]);
  });

  it("checks the database's placement only when it is readable", () => {
    expect(problems({ database: "postgres" })).toEqual(["goapi:database: must be an object with inCluster or external"]);
    expect(problemsOf({ ...production, database: json({ inCluster: "big" }) }, "prod")).toEqual(["goapi:database.inCluster: must be a YAML mapping (key: value lines)"]);
    expect(problems({ database: json({ external: "db.example.com" }) })).toEqual(["goapi:database.external: must be a YAML mapping (key: value lines)"]);
  });

  it("holds an IP address, not a DNS name, to the database's CIDRs, and only when there are some", () => {
    expect(problems(external({ host: "db.example.com", cidrs: ["10.0.0.0/8"] }))).toEqual([]);
    expect(problems(external({ host: "10.9.0.1", cidrs: [] }))).toEqual([]);
    expect(problems(external({ host: "10.9.0.1", cidrs: ["10.9.0.0/16"] }))).toEqual([]);
    expect(problems(external({ host: ["10.9.0.1"], cidrs: ["10.1.0.0/16"] }))).toEqual(['goapi:database.external.host: must be text: not ["10.9.0.1"]']);
    expect(problems(external({ host: "10.9.0.1", cidrs: ["10.0.0.1/16"] }))).toEqual(["goapi:database.external.cidrs.0: has host bits set: the network is 10.0.0.0/16"]);
  });

  it("holds a production stack's sslmode to encryption only when it is one of the modes", () => {
    expect(problemsOf({ ...production, ...external({ sslmode: "on" }) }, "prod")).toEqual([
      "goapi:database.external.sslmode: must be one of disable, allow, prefer, require, verify-ca, verify-full",
    ]);
  });

  it("compares the statement timeout with WRITE_TIMEOUT only when both are valid", () => {
    expect(problems({ database: json({ inCluster: {}, statementTimeoutMilliseconds: 10000.5 }) })).toEqual([
      "goapi:database.statementTimeoutMilliseconds: must be a whole number",
    ]);
    // Text that JavaScript would compare as a number: only the guard keeps the rule quiet.
    expect(problems({ database: json({ inCluster: {}, statementTimeoutMilliseconds: "20000" }) })).toEqual(["goapi:database.statementTimeoutMilliseconds: must be a number"]);
    expect(problems({ app: json({ env: { WRITE_TIMEOUT: ["1s"] } }) })).toEqual(['goapi:app.env.WRITE_TIMEOUT: must be text: not ["1s"]']);
  });
});

describe("goapi:observability's single keys", () => {
  const observability = (o: unknown) => problems({ observability: json(o) });
  const tracing = (t: Record<string, unknown>) => observability({ tracing: { endpoint: "http://otel:4318", collector: { namespace: "observability" }, ...t } });

  it("takes a rate window of four scrape intervals, not a second less", () => {
    expect(observability({ alerts: { latency: { window: "1m" } } })).toEqual([]);
    expect(observability({ alerts: { latency: { window: "59s" } } })).toEqual([
      "goapi:observability.alerts.latency.window: must be at least 60s, four scrape intervals: a rate needs samples",
    ]);
  });

  it.each(["a", "a/b", "example.com/a", "a.b-c_d"])("takes the label key %s", (key) => {
    expect(observability({ prometheusLabels: { [key]: "x" } })).toEqual([]);
  });

  it.each(["", "1", "a-b.c_d"])("takes the label value %j", (value) => {
    expect(observability({ prometheusLabels: { release: value } })).toEqual([]);
  });

  it.each(["-a", "a/", "/a", "A.com/a"])("refuses the label key %j", (key) => {
    expect(observability({ prometheusLabels: { [key]: "x" } })).toEqual([`goapi:observability.prometheusLabels.${key}: must be a Kubernetes label key`]);
  });

  it.each(["httpx://otel:4318", "xhttp://otel:4318"])("refuses the endpoint %s", (endpoint) => {
    expect(tracing({ endpoint })).toEqual(["goapi:observability.tracing.endpoint: must be the collector's OTLP/HTTP URL, such as http://otel-collector.observability.svc:4318"]);
  });

  it("takes an http and an https runbook, nothing else", () => {
    expect(observability({ runbookUrl: "http://docs.internal/runbook.md" })).toEqual([]);
    expect(observability({ runbookUrl: "https://docs.internal/runbook.md" })).toEqual([]);
    for (const runbookUrl of ["httpx://docs.internal/runbook.md", "xhttp://docs.internal/runbook.md"]) {
      expect(observability({ runbookUrl })).toEqual(["goapi:observability.runbookUrl: must be an http(s) URL of docs/runbook.md"]);
    }
  });

  it.each(["http://user@otel:4318", "http://:hunter2@otel:4318"])("refuses credentials in the endpoint %s", (endpoint) => {
    expect(tracing({ endpoint })).toEqual(["goapi:observability.tracing.endpoint: must not carry credentials: it goes into a ConfigMap, which is plain text"]);
  });

  it("takes pod labels with the collector's namespace", () => {
    expect(tracing({ collector: { namespace: "observability", podLabels: { app: "otel" } } })).toEqual([]);
  });

  it("sends spans to the endpoint's port, or its scheme's default", () => {
    expect(collectorPort("http://otel:4318")).toBe(4318);
    expect(collectorPort("https://otel:4318")).toBe(4318);
    expect(collectorPort("https://otel.example.com")).toBe(443);
    expect(collectorPort("http://otel.example.com")).toBe(80);
  });
});

describe("stackConfig", () => {
  it("hands over the project's keys without their namespace, and no other project's", async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs as Record<string, unknown> }), call: (args) => args.inputs as Record<string, unknown> }, "goapi", "local");
    pulumi.runtime.setAllConfig({ "goapi:kubeContext": "kind-goapi", "goapi:image": '{"registry":"localhost:5001"}', "other:kubeContext": "elsewhere", "xgoapi:namespace": "no" });
    expect(stackConfig()).toEqual({ kubeContext: "kind-goapi", image: '{"registry":"localhost:5001"}' });
  });
});
