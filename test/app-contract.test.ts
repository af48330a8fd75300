// The Pulumi program and the Go API agree on ports, probe paths, user,
// variables, subcommands and exit codes: these read the app's own files, so a
// change on one side without the other fails here. app/compose.yaml is held
// to the same contract.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  apiPort,
  appLimits,
  appUid,
  commands,
  database,
  databaseUrlEnv,
  exitCodes,
  metricsPort,
  migrateEnv,
  otelEnv,
  otelSampler,
  plainEnv,
  probePaths,
  secretEnv,
  tokenEnv,
} from "../components/app-contract";
import { reservedEnv } from "../components/settings";

const app = path.join(__dirname, "..", "app");
const read = (file: string) => fs.readFileSync(path.join(app, file), "utf8");
const config = read("internal/config/config.go");

/** The arguments after the name of config.go's r.kind("NAME", ...) call. */
function argumentsOf(name: string): string[] {
  const call = new RegExp(`r\\.\\w+\\("${name}", ([^)]*)\\)`).exec(config);
  if (!call?.[1]) {
    throw new Error(`config.go reads no ${name}`);
  }
  return call[1].split(",").map((a) => a.trim());
}

/** A Go duration constant such as time.Second, 5*time.Second or 100 * time.Millisecond, in milliseconds. */
function goDurationMs(expression: string | undefined): number {
  const m = /^(?:(\d+)\s*\*\s*)?time\.(Second|Millisecond)$/.exec(expression ?? "");
  if (!m) {
    throw new Error(`not a Go duration constant: ${String(expression)}`);
  }
  return Number(m[1] ?? 1) * (m[2] === "Second" ? 1000 : 1);
}

/** Every variable name config.go reads, as r.kind("NAME", ...). */
function variablesIn(goSource: string): string[] {
  return [...goSource.matchAll(/r\.\w+\("([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1] ?? "");
}

describe("the app contract", () => {
  it("matches the ports and user of the Dockerfile", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toContain(`EXPOSE ${apiPort} ${metricsPort}`);
    expect(dockerfile).toContain(`USER ${appUid}:${appUid}`);
  });

  it("matches the app's default ports", () => {
    expect(config).toContain(`r.port("PORT", ${apiPort})`);
    expect(config).toContain(`r.port("METRICS_PORT", ${metricsPort})`);
  });

  it("probes routes the app serves", () => {
    const routes = read("internal/api/api.go");
    for (const p of Object.values(probePaths)) {
      expect(routes).toContain(`"GET ${p}"`);
    }
  });

  it("lists exactly the variables the app reads", () => {
    const read = new Set(variablesIn(config));
    expect([...read].sort()).toEqual([...secretEnv, ...plainEnv].sort());
    expect(secretEnv).toContain(tokenEnv);
    expect(secretEnv).toContain(databaseUrlEnv);
  });

  it("sets only variables the app reads", () => {
    for (const name of [tokenEnv, ...reservedEnv.filter((n) => !(otelEnv as readonly string[]).includes(n))]) {
      expect(config).toContain(`"${name}"`);
    }
  });

  it("sets OpenTelemetry's standard variables for the SDK the app runs, and turns tracing on with the endpoint it checks", () => {
    const tracing = read("internal/telemetry/tracing.go");
    // The SDK reads the resource variables (WithFromEnv) and the sampler; the app decides on/off by the endpoint.
    expect(tracing).toContain("resource.WithFromEnv()");
    expect(tracing).toContain("sdktrace.NewTracerProvider(");
    for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"]) {
      expect(tracing).toContain(`"${name}"`);
    }
    // The program sets a sampling ratio: its sampler must be one that reads OTEL_TRACES_SAMPLER_ARG
    // (an empty one is the SDK's default, parentbased_always_on, which ignores the ratio).
    const ratioSamplers = /case ([^\n]+):\n\s+if arg == ""/.exec(tracing)?.[1]?.split(",").map((s) => s.trim());
    expect(ratioSamplers).toContain(`"${otelSampler}"`);
    expect(reservedEnv).toEqual(expect.arrayContaining([...otelEnv]));
  });

  it("matches the database defaults and what migrate reads", () => {
    expect(config).toContain(`r.count("DB_MAX_CONNS", ${String(database.maxConns)},`);
    expect(config).toContain(`r.duration("DB_STATEMENT_TIMEOUT", ${database.statementTimeout.replace("s", "")}*time.Second,`);
    expect(read("cmd/api/serve.go")).toContain(`rc.MaxConns = ${String(database.readinessConnections)}`);
    const loadMigrate = /func LoadMigrate[\s\S]*?\n}\n/.exec(config)?.[0] ?? "";
    expect(variablesIn(loadMigrate).sort()).toEqual([...migrateEnv].sort());
  });

  it("refuses at start exactly what the settings refuse first", () => {
    expect(config).toContain(`const MinTokenLength = ${String(appLimits.minTokenLength)}\n`);
    expect(goDurationMs(argumentsOf("SHUTDOWN_TIMEOUT")[1])).toBe(appLimits.minShutdownTimeoutSeconds * 1000);
    expect(goDurationMs(/const maxGracefulStop = (.*)\n/.exec(config)?.[1])).toBe(appLimits.gracefulStopSeconds * 1000);
    expect(argumentsOf("DB_MAX_CONNS").slice(1)).toEqual([String(appLimits.dbMaxConns.min), String(appLimits.dbMaxConns.max)]);
    expect(goDurationMs(argumentsOf("DB_STATEMENT_TIMEOUT")[1])).toBe(appLimits.minStatementTimeoutMilliseconds);
    expect(goDurationMs(argumentsOf("WRITE_TIMEOUT")[0])).toBe(appLimits.writeTimeoutSeconds * 1000);
    const size = /func \(r \*reader\) size\([\s\S]*?\n}\n/.exec(config)?.[0] ?? "";
    expect(size).toContain(`n < ${String(appLimits.minBodyBytes)} {`);
  });

  it("matches the subcommands and exit codes of the binary", () => {
    const main = read("cmd/api/main.go");
    for (const [name, args] of Object.entries(commands)) {
      expect(args).toEqual([name]);
      expect(main).toContain(`case "${name}":`);
    }
    expect(main).toContain(`exitOK     = ${String(exitCodes.ok)}`);
    expect(main).toContain(`exitFailed = ${String(exitCodes.failed)}`);
    expect(main).toContain(`exitUsage  = ${String(exitCodes.usage)}`);
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string };
  command?: string[];
  user?: string;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string } | undefined>;
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
}

describe("app/compose.yaml", () => {
  const compose = parse(read("compose.yaml"), { merge: true }) as { services: Record<string, ComposeService | undefined> };
  const service = (name: string): ComposeService => {
    const s = compose.services[name];
    if (s === undefined) throw new Error(`compose.yaml has no service ${name}`);
    return s;
  };
  const [api, migrate, postgres] = [service("api"), service("migrate"), service("postgres")];
  const condition = (s: ComposeService, on: string) => s.depends_on?.[on]?.condition;
  const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

  it("runs the app's image as its user, with the subcommands", () => {
    for (const s of [api, migrate]) {
      expect(s.build?.context).toBe(".");
      expect(s.user).toBe(`${String(appUid)}:${String(appUid)}`);
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(["ALL"]);
    }
    expect(api.image).toBe(migrate.image);
    expect(api.command).toEqual(commands.serve);
    expect(migrate.command).toEqual(commands.migrate);
    expect(api.healthcheck?.test).toEqual(["CMD", "/api", ...commands.healthcheck]);
  });

  it("sets only variables the app reads, and what it requires", () => {
    const known: string[] = [...secretEnv, ...plainEnv];
    expect(Object.keys(api.environment ?? {}).filter((k) => !known.includes(k))).toEqual([]);
    expect(Object.keys(api.environment ?? {})).toEqual(expect.arrayContaining([...secretEnv]));
    expect(Object.keys(migrate.environment ?? {}).filter((k) => !(migrateEnv as readonly string[]).includes(k))).toEqual([]);
    expect(migrate.environment?.[databaseUrlEnv]).toBe(api.environment?.[databaseUrlEnv]);
  });

  it("publishes the app's ports on loopback only", () => {
    expect(api.environment?.PORT).toBe(String(apiPort));
    expect(api.environment?.METRICS_PORT).toBe(String(metricsPort));
    expect(api.ports).toEqual([`127.0.0.1:${String(apiPort)}:${String(apiPort)}`, `127.0.0.1:${String(metricsPort)}:${String(metricsPort)}`]);
    expect(postgres.ports).toBeUndefined();
  });

  it("migrates before the API starts, once PostgreSQL is healthy", () => {
    expect(condition(migrate, "postgres")).toBe("service_healthy");
    expect(condition(api, "migrate")).toBe("service_completed_successfully");
    expect(condition(api, "postgres")).toBe("service_healthy");
    expect(postgres.healthcheck?.test[1]).toBe("pg_isready");
  });

  it("points DATABASE_URL at the postgres service with its credentials", () => {
    const url = new URL((api.environment?.[databaseUrlEnv] ?? "").replace(/\$\{POSTGRES_PASSWORD:-([^}]*)\}/, "$1"));
    const env: Partial<Record<string, string>> = postgres.environment ?? {};
    expect(url.protocol).toBe("postgres:");
    expect(url.hostname).toBe("postgres");
    expect(url.username).toBe(env.POSTGRES_USER);
    expect(url.pathname).toBe(`/${env.POSTGRES_DB ?? ""}`);
    expect(api.environment?.[databaseUrlEnv]).toContain("${POSTGRES_PASSWORD:-");
    expect(env.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:-/);
  });

  it("gives the API time to finish requests before it is killed", () => {
    const env: Partial<Record<string, string>> = api.environment ?? {};
    const drainAndShutdown = seconds(env.DRAIN_DELAY ?? "5s") + seconds(env.SHUTDOWN_TIMEOUT ?? "15s");
    expect(seconds(api.stop_grace_period ?? "10s")).toBeGreaterThan(drainAndShutdown);
  });
});
