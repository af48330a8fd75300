// goapi:delivery and the request-rate half of goapi:autoscaling: the
// strategy each stack gets, the seeds' canary by default, every bound pinned
// from both sides and every bad input refused at its key.
import { loadSettings, SettingsError } from "../components/settings";
import { json, minimal } from "./helpers/settings-config";

const production: Record<string, string> = {
  ...minimal,
  image: json({ registry: "localhost:5001" }),
  ingress: json({ host: "goapi.example.com", controllerNamespace: "edge", tls: { clusterIssuer: "letsencrypt" } }),
  database: json({ external: { host: "db.example.com" } }),
  databasePassword: "pw",
  delivery: json({ canary: { gateway: { listener: "websecure" } } }),
};

/** The problems for `change` on top of the minimal local stack; [] when accepted. */
function problems(change: Record<string, string>, stack = "local"): string[] {
  try {
    loadSettings(stack, { ...(stack.startsWith("prod") ? production : minimal), ...change });
    return [];
  } catch (e) {
    if (!(e instanceof SettingsError)) {
      throw e;
    }
    return e.message.split("\n").slice(1).map((l) => l.trim());
  }
}

const canary = (c: Record<string, unknown>) => ({ delivery: json({ strategy: "canary", canary: c }) });
const rollback = (r: Record<string, unknown>) => canary({ rollback: r });
const atKey = (found: string[], key: string) => found.filter((p) => p.startsWith(`goapi:${key}: `));

describe("goapi:delivery", () => {
  it.each(["local", "dev", "preprod", "production2"])("rolls out on %s unless told otherwise", (stack) => {
    expect(loadSettings(stack, minimal).delivery).toEqual({ strategy: "rolling" });
  });

  it.each(["prod", "prod-eu", "production"])("releases a canary on %s, with the seeds' steps and thresholds, through the ingress controller's Gateway", (stack) => {
    expect(loadSettings(stack, production).delivery).toEqual({
      strategy: "canary",
      canary: {
        steps: [5, 20, 100],
        interval: "1m",
        rollback: { p99Milliseconds: 800, errorPercent: 1, failedChecks: 2 },
        gateway: { name: "traefik-gateway", namespace: "edge", listener: "websecure" },
      },
    });
  });

  it("lets any stack choose either strategy", () => {
    expect(loadSettings("local", { ...minimal, delivery: json({ strategy: "canary" }) }).delivery.strategy).toBe("canary");
    expect(loadSettings("prod", { ...production, delivery: json({ strategy: "rolling" }) }).delivery).toEqual({ strategy: "rolling" });
  });

  it("takes every canary setting", () => {
    const c = {
      steps: [1, 10, 50, 100],
      interval: "2m30s",
      internalUsers: { header: "X-Goapi-Canary", value: "internal" },
      rollback: { p99Milliseconds: 250, errorPercent: 0.5, failedChecks: 5 },
      gateway: { name: "public", namespace: "gateways", listener: "https.v4" },
    };
    expect(loadSettings("local", { ...minimal, ...canary(c) }).delivery).toEqual({ strategy: "canary", canary: c });
  });

  it.each([
    ["no steps", [], "needs at least one step below 100 before the promotion at 100"],
    ["only the promotion", [100], "needs at least one step below 100 before the promotion at 100"],
    ["a step repeated", [5, 5, 100], "must rise at every step"],
    ["a step going back", [20, 5, 100], "must rise at every step"],
    ["no promotion at the end", [5, 20], "must end at 100: the promotion, when every request goes to the new version"],
    ["the promotion before the end", [5, 100, 100], "must rise at every step"],
  ])("refuses %s", (_what, steps, message) => {
    expect(atKey(problems(canary({ steps })), "delivery.canary.steps")).toEqual([`goapi:delivery.canary.steps: ${message}`]);
  });

  it.each([
    ["a step of 0", [0, 100], "delivery.canary.steps.0"],
    ["a step above 100", [5, 101], "delivery.canary.steps.1"],
    ["a fractional step", [2.5, 100], "delivery.canary.steps.0"],
    ["steps as text", "5,20,100", "delivery.canary.steps"],
  ])("refuses %s at its key", (_what, steps, key) => {
    expect(atKey(problems(canary({ steps })), key)).toHaveLength(1);
  });

  it("takes steps of 1 and 99, not 0 or 101", () => {
    expect(problems(canary({ steps: [1, 100] }))).toEqual([]);
    expect(problems(canary({ steps: [1, 99, 100] }))).toEqual([]);
    expect(problems(canary({ steps: [0, 100] }))).toEqual(["goapi:delivery.canary.steps.0: must be a percentage from 1 to 100"]);
    expect(atKey(problems(canary({ steps: [1, 101] })), "delivery.canary.steps.1")).toEqual(["goapi:delivery.canary.steps.1: must be a percentage from 1 to 100"]);
  });

  it("takes an interval from 60s to 1h, and not a second outside", () => {
    for (const interval of ["60s", "1m", "1h", "59m60s"]) {
      expect(problems(canary({ interval }))).toEqual([]);
    }
    expect(problems(canary({ interval: "59s" }))).toEqual(["goapi:delivery.canary.interval: must be at least 60s, four scrape intervals: each check rates the metrics over it"]);
    expect(problems(canary({ interval: "3601s" }))).toEqual(["goapi:delivery.canary.interval: must be at most 60m: each step waits at least one interval"]);
  });

  it.each(["1.5m", "1 m", "1d", "90", "", "1m30"])("refuses the interval %p, which is no duration Flagger reads", (interval) => {
    expect(atKey(problems(canary({ interval })), "delivery.canary.interval")[0]).toMatch(/^goapi:delivery\.canary\.interval: must be a duration such as 30s, 1m or 1m30s/);
  });

  it("takes a P99 threshold from 1 to 2499 ms, not 0 or the largest bucket's 2500", () => {
    expect(problems(rollback({ p99Milliseconds: 1 }))).toEqual([]);
    expect(problems(rollback({ p99Milliseconds: 2499 }))).toEqual([]);
    expect(atKey(problems(rollback({ p99Milliseconds: 0 })), "delivery.canary.rollback.p99Milliseconds")).toHaveLength(1);
    expect(problems(rollback({ p99Milliseconds: 2500 }))).toEqual([
      "goapi:delivery.canary.rollback.p99Milliseconds: must be below 2500: the latency histogram's largest bucket ends at 2.5s",
    ]);
    expect(atKey(problems(rollback({ p99Milliseconds: 800.5 })), "delivery.canary.rollback.p99Milliseconds")).toHaveLength(1);
  });

  it("takes an error share above 0 and below 100", () => {
    expect(problems(rollback({ errorPercent: 0.001 }))).toEqual([]);
    expect(problems(rollback({ errorPercent: 99.999 }))).toEqual([]);
    expect(atKey(problems(rollback({ errorPercent: 0 })), "delivery.canary.rollback.errorPercent")).toHaveLength(1);
    expect(atKey(problems(rollback({ errorPercent: -1 })), "delivery.canary.rollback.errorPercent")).toHaveLength(1);
    expect(problems(rollback({ errorPercent: 100 }))).toEqual(["goapi:delivery.canary.rollback.errorPercent: must be below 100: no error rate could exceed it"]);
  });

  it("rolls back after 1 to 20 failed checks, not 0 or 21", () => {
    expect(problems(rollback({ failedChecks: 1 }))).toEqual([]);
    expect(problems(rollback({ failedChecks: 20 }))).toEqual([]);
    expect(atKey(problems(rollback({ failedChecks: 0 })), "delivery.canary.rollback.failedChecks")).toHaveLength(1);
    expect(atKey(problems(rollback({ failedChecks: 21 })), "delivery.canary.rollback.failedChecks")).toHaveLength(1);
  });

  it("takes an internal-users header name and a value of 1 to 256 characters", () => {
    const users = (header: string, value: string) => canary({ internalUsers: { header, value } });
    expect(problems(users("x-canary", "v"))).toEqual([]);
    expect(problems(users("X-Goapi-Canary", "v".repeat(256)))).toEqual([]);
    expect(problems(users("X Canary", "internal"))).toEqual(["goapi:delivery.canary.internalUsers.header: must be an HTTP header name such as X-Goapi-Canary"]);
    expect(problems(users("X-Canary:", "internal"))).toEqual(["goapi:delivery.canary.internalUsers.header: must be an HTTP header name such as X-Goapi-Canary"]);
    expect(problems(users("X-Canary", ""))).toEqual(["goapi:delivery.canary.internalUsers.value: must not be empty"]);
    expect(problems(users("X-Canary", "v".repeat(257)))).toEqual(["goapi:delivery.canary.internalUsers.value: must be at most 256 characters"]);
    expect(atKey(problems(canary({ internalUsers: { header: "X-Canary" } })), "delivery.canary.internalUsers.value")).toHaveLength(1);
  });

  it("refuses a bad Gateway reference at its key", () => {
    expect(problems(canary({ gateway: { name: "Public" } }))).toEqual(["goapi:delivery.canary.gateway.name: must be a Gateway name"]);
    expect(problems(canary({ gateway: { namespace: "gateways_" } }))).toEqual(["goapi:delivery.canary.gateway.namespace: must be a namespace name"]);
  });

  it("refuses a listener that is no sectionName, at its key", () => {
    expect(problems(canary({ gateway: { listener: "WebSecure" } }))).toEqual(["goapi:delivery.canary.gateway.listener: must be a listener name of the Gateway (its sectionName), such as websecure"]);
    expect(problems(canary({ gateway: { listener: "" } }))).toEqual(["goapi:delivery.canary.gateway.listener: must be a listener name of the Gateway (its sectionName), such as websecure"]);
  });

  describe("with TLS, the routes' Gateway listener", () => {
    const required =
      "goapi:delivery.canary.gateway.listener: is required on a canary stack with goapi:ingress.tls: the name of the Gateway's HTTPS listener, which holds the certificate (without it the routes attach to every listener of the Gateway, a plain-HTTP one included)";
    const tls = (tlsValue: unknown = { secretName: "goapi-tls" }) => ({ ingress: json({ host: "goapi.example.com", tls: tlsValue }) });

    it("is required on a canary stack with TLS, production by default or any stack by choice", () => {
      expect(problems({ delivery: json({}) }, "prod")).toEqual([required]);
      expect(problems({ delivery: json({ canary: { gateway: { name: "public" } } }) }, "prod-eu")).toEqual([required]);
      expect(problems({ ...tls(), ...canary({}) })).toEqual([required]);
    });

    it("is not required without TLS, nor on a rolling stack, and taken when set", () => {
      expect(problems(canary({}))).toEqual([]);
      expect(problems({ delivery: json({ strategy: "rolling" }) }, "prod")).toEqual([]);
      expect(problems({ ...tls(), delivery: json({ strategy: "rolling" }) })).toEqual([]);
      expect(problems({ ...tls(), ...canary({ gateway: { listener: "websecure" } }) })).toEqual([]);
      expect(loadSettings("prod", production).delivery).toMatchObject({ canary: { gateway: { listener: "websecure" } } });
    });

    it("is not asked for while TLS, the strategy or the listener has a problem of its own", () => {
      expect(atKey(problems({ ...tls("yes"), ...canary({}) }), "delivery.canary.gateway.listener")).toEqual([]);
      expect(atKey(problems({ ...tls(), delivery: json({ strategy: "blue-green" }) }), "delivery.canary.gateway.listener")).toEqual([]);
      // `goapi:delivery: canary`, the strategy written where the group goes: the group's type alone.
      expect(problems({ delivery: "canary" }, "prod")).toEqual([expect.stringMatching(/^goapi:delivery: /) as unknown]);
      expect(problems({ ...tls(), ...canary({ gateway: { listener: "Bad_" } }) })).toEqual(["goapi:delivery.canary.gateway.listener: must be a listener name of the Gateway (its sectionName), such as websecure"]);
      // The Gateway given as a word: its own problem, not a listener asked of it.
      const wordGateway = problems({ ...tls(), ...canary({ gateway: "public" }) });
      expect(wordGateway).toEqual([expect.stringMatching(/^goapi:delivery\.canary\.gateway: /) as unknown]);
    });
  });

  it("refuses another strategy, and names the key a typo meant", () => {
    expect(problems({ delivery: json({ strategy: "blue-green" }) })).toEqual(["goapi:delivery.strategy: must be rolling or canary"]);
    expect(problems(canary({ step: [5, 100] }))).toEqual(["goapi:delivery.canary.step: is not a setting of this program (a typo of goapi:delivery.canary.steps?)"]);
    expect(problems({ delivery: json("canary") })).toEqual([expect.stringMatching(/^goapi:delivery: /)]);
  });
});

describe("goapi:autoscaling.metric", () => {
  const autoscaling = (a: Record<string, unknown>) => ({ autoscaling: json(a) });

  it("scales on CPU unless told otherwise, and on requests per pod when asked", () => {
    expect(loadSettings("local", minimal).autoscaling).toMatchObject({ metric: "cpu" });
    expect(loadSettings("local", { ...minimal, ...autoscaling({ metric: "requests", requestsPerSecond: 25 }) }).autoscaling).toMatchObject({ metric: "requests", requestsPerSecond: 25 });
  });

  it("needs the target with requests, and refuses one that the cpu metric would ignore", () => {
    expect(problems(autoscaling({ metric: "requests" }))).toEqual(["goapi:autoscaling.requestsPerSecond: is required with metric: requests: the requests per second one pod should serve"]);
    expect(problems(autoscaling({ requestsPerSecond: 25 }))).toEqual(["goapi:autoscaling.requestsPerSecond: is read only with metric: requests (the metric is cpu)"]);
  });

  it("takes a target above 0 and up to 100000 requests a second", () => {
    const target = (requestsPerSecond: number) => autoscaling({ metric: "requests", requestsPerSecond });
    expect(problems(target(0.001))).toEqual([]);
    expect(problems(target(100_000))).toEqual([]);
    expect(atKey(problems(target(0)), "autoscaling.requestsPerSecond")).toHaveLength(1);
    expect(atKey(problems(target(100_000.5)), "autoscaling.requestsPerSecond")).toHaveLength(1);
  });

  it("refuses another metric", () => {
    expect(problems(autoscaling({ metric: "rps", requestsPerSecond: 1 }))).toEqual(["goapi:autoscaling.metric: must be cpu or requests"]);
  });

  it("reports a target out of bounds alone, not also as one the cpu metric would ignore", () => {
    const found = problems(autoscaling({ requestsPerSecond: 0 }));
    expect(found).toHaveLength(1);
    expect(atKey(found, "autoscaling.requestsPerSecond")).toEqual(found);
    expect(found[0]).not.toContain("read only");
  });
});
