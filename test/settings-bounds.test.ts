// Every bound of the settings, pinned from both sides: the value on the bound
// is accepted and the one just past it refused, so moving a bound by one
// fails here. Where the app checks the same variable, the bound comes from
// components/app-contract.ts (test/app-contract.test.ts holds it to config.go).
import { appLimits } from "../components/app-contract";
import { readinessWindowSeconds } from "../components/pod";
import { loadSettings, SettingsError } from "../components/settings";
import { json, minimal } from "./helpers/settings-config";

/** The problems loadSettings reports for `change` on top of the minimal stack; [] when it is accepted. */
function problems(change: Record<string, string>, stack = "local"): string[] {
  try {
    loadSettings(stack, { ...minimal, ...change });
    return [];
  } catch (e) {
    if (!(e instanceof SettingsError)) {
      throw e;
    }
    return e.message.split("\n").slice(1).map((l) => l.trim());
  }
}

const external = (fields: Record<string, unknown>) => ({
  database: json({ external: { host: "db.example.com", ...fields } }),
  databasePassword: "pw",
});

type Change = (n: number) => Record<string, string>;

/** [key, change that sets it to n, lowest accepted, highest accepted] */
const ranges: [string, Change, number, number][] = [
  ["autoscaling.minReplicas", (n) => ({ autoscaling: json({ minReplicas: n, maxReplicas: 100 }) }), 1, 100],
  ["autoscaling.maxReplicas", (n) => ({ autoscaling: json({ maxReplicas: n }) }), 1, 100],
  ["autoscaling.cpuUtilization", (n) => ({ autoscaling: json({ cpuUtilization: n }) }), 1, 100],
  ["autoscaling.memoryUtilization", (n) => ({ autoscaling: json({ memoryUtilization: n }) }), 1, 100],
  ["app.drainDelaySeconds", (n) => ({ app: json({ drainDelaySeconds: n, shutdownTimeoutSeconds: 1 }) }), readinessWindowSeconds, 25],
  ["app.shutdownTimeoutSeconds", (n) => ({ app: json({ drainDelaySeconds: readinessWindowSeconds, shutdownTimeoutSeconds: n }) }), appLimits.minShutdownTimeoutSeconds, 25],
  ["app.maxBodyBytes", (n) => ({ app: json({ maxBodyBytes: n }) }), appLimits.minBodyBytes, 64 * 2 ** 20],
  ["database.maxConns", (n) => ({ database: json({ inCluster: {}, maxConns: n }) }), appLimits.dbMaxConns.min, appLimits.dbMaxConns.max],
  ["database.external.port", (n) => external({ port: n }), 1, 65535],
];

describe("settings bounds", () => {
  describe.each(ranges)("%s", (key, change, lowest, highest) => {
    it(`accepts ${String(lowest)} and ${String(highest)}`, () => {
      expect(problems(change(lowest))).toEqual([]);
      expect(problems(change(highest))).toEqual([]);
    });

    it(`refuses ${String(lowest - 1)} and ${String(highest + 1)}, naming the key`, () => {
      const atKey = (found: string[]) => found.some((p) => p.startsWith(`goapi:${key}: `));
      expect(atKey(problems(change(lowest - 1)))).toBe(true);
      expect(atKey(problems(change(highest + 1)))).toBe(true);
    });
  });

  it("accepts minReplicas equal to maxReplicas and refuses it one above", () => {
    expect(problems({ autoscaling: json({ minReplicas: 3, maxReplicas: 3 }) })).toEqual([]);
    expect(problems({ autoscaling: json({ minReplicas: 4, maxReplicas: 3 }) })).toEqual(["goapi:autoscaling.minReplicas: (4) must not exceed maxReplicas (3)"]);
  });

  it.each(["cpu", "memory"])("accepts a %s request equal to its limit, in another notation, and refuses one just above", (resource) => {
    const [equal, limit, above] = resource === "cpu" ? ["0.5", "500m", "501m"] : ["1Gi", "1024Mi", "1025Mi"];
    const resources = (request: string) => ({ resources: json({ requests: { [resource]: request }, limits: { [resource]: limit } }) });
    expect(problems(resources(equal))).toEqual([]);
    expect(problems(resources(above))).toEqual([`goapi:resources.requests.${resource}: (${above}) must not exceed the limit (${limit})`]);
  });

  it(`keeps drain + shutdown below the app's ${String(appLimits.gracefulStopSeconds)} s: accepts one second less, refuses it`, () => {
    const app = (drain: number, shutdown: number) => ({ app: json({ drainDelaySeconds: drain, shutdownTimeoutSeconds: shutdown }) });
    const limit = appLimits.gracefulStopSeconds;
    expect(problems(app(limit - 1 - 20, 20))).toEqual([]);
    expect(problems(app(limit - 20, 20))).toEqual([`goapi:app.shutdownTimeoutSeconds: drainDelaySeconds + shutdownTimeoutSeconds must stay below ${String(limit)}`]);
  });

  it(`takes an API token of the app's ${String(appLimits.minTokenLength)} characters, not one fewer`, () => {
    expect(problems({ apiToken: "t".repeat(appLimits.minTokenLength) })).toEqual([]);
    expect(problems({ apiToken: "t".repeat(appLimits.minTokenLength - 1) })).toEqual([
      `goapi:apiToken: must be at least ${String(appLimits.minTokenLength)} characters long`,
    ]);
  });

  it("keeps the statement timeout at or above the app's minimum and below its WRITE_TIMEOUT", () => {
    const timeout = (ms: number, env: Record<string, string> = {}) => ({
      database: json({ inCluster: {}, statementTimeoutMilliseconds: ms }),
      app: json({ env }),
    });
    const write = appLimits.writeTimeoutSeconds * 1000;
    expect(problems(timeout(appLimits.minStatementTimeoutMilliseconds))).toEqual([]);
    expect(problems(timeout(appLimits.minStatementTimeoutMilliseconds - 1))).toEqual([
      `goapi:database.statementTimeoutMilliseconds: must be at least ${String(appLimits.minStatementTimeoutMilliseconds)}`,
    ]);
    expect(problems(timeout(write - 1))).toEqual([]);
    expect(problems(timeout(write))).toEqual([
      `goapi:database.statementTimeoutMilliseconds: (${String(write)}) must stay below the app's WRITE_TIMEOUT (${String(appLimits.writeTimeoutSeconds)}s), or a slow query outlives its response`,
    ]);
    expect(problems(timeout(1999, { WRITE_TIMEOUT: "2s" }))).toEqual([]);
    expect(problems(timeout(2000, { WRITE_TIMEOUT: "2s" }))).toHaveLength(1);
  });

  it("takes a stack name of 32 characters, not 33", () => {
    expect(problems({}, `s${"a".repeat(31)}`)).toEqual([]);
    expect(problems({}, `s${"a".repeat(32)}`)).toEqual([expect.stringMatching(/^stack name 'sa{32}': .* at most 32 characters/)]);
  });

  it("takes an image tag of 128 characters, not 129", () => {
    const tag = (n: number) => ({ image: json({ registry: "localhost:5001", tag: `v${"1".repeat(n - 1)}` }) });
    expect(problems(tag(128))).toEqual([]);
    expect(problems(tag(129))).toEqual([expect.stringMatching(/^goapi:image\.tag: must be a Docker tag/)]);
  });
});
