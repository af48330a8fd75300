// What the Go API in app/ expects from whatever runs it (a pod, a Job,
// compose): ports, probe paths, the user its image runs as, the variables it
// reads, its subcommands and exit codes. test/app-contract.test.ts holds
// these against app/ so the two never drift. app/README.md explains each.

export const apiPort = 8080;
export const metricsPort = 9090;
export const probePaths = { startup: "/startupz", liveness: "/healthz", readiness: "/readyz" } as const;
/** distroless "nonroot"; the Dockerfile's USER. */
export const appUid = 65532;
/** Key of the token in the Secret and name of the variable the app reads. */
export const tokenEnv = "API_TOKEN";
/** Headroom after drain + shutdown before the kubelet kills the container. */
export const terminationSlackSeconds = 5;

/**
 * The database connection: a libpq URL with the password
 * (postgres://user:password@host:5432/db?sslmode=require). A secret: it goes
 * in a Secret, never a ConfigMap. Required by `serve` and `migrate`.
 */
export const databaseUrlEnv = "DATABASE_URL";

/** Variables that hold secrets: set them from a Secret. */
export const secretEnv = [tokenEnv, databaseUrlEnv] as const;

/** Plain variables the app reads, each optional with a default (app/README.md). */
export const plainEnv = [
  "PORT",
  "METRICS_PORT",
  "LOG_LEVEL",
  "APP_ENV",
  "DRAIN_DELAY",
  "SHUTDOWN_TIMEOUT",
  "MAX_BODY_BYTES",
  "READ_TIMEOUT",
  "WRITE_TIMEOUT",
  "IDLE_TIMEOUT",
  "DB_MAX_CONNS",
  "DB_STATEMENT_TIMEOUT",
] as const;

/**
 * The OpenTelemetry variables the program sets when a stack names a
 * collector. The SDK in the app reads them (app/internal/telemetry: tracing
 * is off without the endpoint); the sampler is parent-based with a ratio.
 */
export const otelEnv = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"] as const;
export const otelSampler = "parentbased_traceidratio";

/**
 * Database defaults: DB_MAX_CONNS connections per pod for requests, plus
 * readinessConnections of its own for /readyz. Size the database's
 * max_connections for maxReplicas * (maxConns + readinessConnections) plus
 * one per migration run.
 */
export const database = { maxConns: 5, readinessConnections: 1, statementTimeout: "5s" } as const;

/**
 * What the app refuses at start (config.go), so that settings.ts refuses it
 * first instead of deploying pods that crash-loop: the shortest API_TOKEN;
 * the shortest SHUTDOWN_TIMEOUT; the grace period DRAIN_DELAY +
 * SHUTDOWN_TIMEOUT must stay below (Kubernetes' default); DB_MAX_CONNS's
 * range; the shortest DB_STATEMENT_TIMEOUT, which must also stay below
 * WRITE_TIMEOUT (default writeTimeoutSeconds); the smallest MAX_BODY_BYTES.
 */
export const appLimits = {
  minTokenLength: 16,
  minShutdownTimeoutSeconds: 1,
  gracefulStopSeconds: 30,
  dbMaxConns: { min: 1, max: 100 },
  minStatementTimeoutMilliseconds: 100,
  writeTimeoutSeconds: 10,
  minBodyBytes: 1,
} as const;

/**
 * The image's entrypoint takes one optional argument. `serve` (the default)
 * runs the API; `migrate` brings the schema to the image's version and exits
 * (safe twice and concurrently; reads only DATABASE_URL and LOG_LEVEL, so a
 * migration Job needs no token); `healthcheck` exits 0 when /readyz on PORT
 * answers 200 (for container health checks; Kubernetes probes use HTTP).
 */
export const commands = { serve: ["serve"], migrate: ["migrate"], healthcheck: ["healthcheck"] } as const;
export const migrateEnv = [databaseUrlEnv, "LOG_LEVEL"] as const;

/**
 * Exit codes of every subcommand. failed: the last JSON log line on stdout
 * says why (for migrate: "migration failed" with the error; the database may
 * be unreachable, so a retry can help). usage: bad configuration or
 * arguments, one line on stderr per bad variable, naming it; retrying cannot help.
 * serve exits 0 after a clean drain, 1 when requests were still running at
 * SHUTDOWN_TIMEOUT (they were cut).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;
