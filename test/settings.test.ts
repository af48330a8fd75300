import * as pulumi from "@pulumi/pulumi";
import { loadSettings, SettingsError } from "../components/settings";
import { json, minimal, production } from "./helpers/settings-config";

function problemsOf(stack: string, raw: Record<string, string>): string[] {
  try {
    loadSettings(stack, raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
  }
  throw new Error("configuration was accepted");
}

describe("loadSettings", () => {
  it("applies the documented defaults", () => {
    const s = loadSettings("local", minimal);
    expect(s.namespace).toBe("goapi");
    expect(s.createNamespace).toBe(true);
    expect(s.image).toEqual({ kind: "build", registry: "localhost:5001", repository: "goapi", tag: "git", platforms: ["linux/amd64"], cache: true, builder: undefined });
    expect(s.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 3, metric: "cpu", cpuUtilization: 70 });
    expect(s.resources).toEqual({ requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } });
    expect(s.ingress).toEqual({ className: "traefik", host: "goapi.localhost", path: "/", controllerNamespace: "traefik" });
    expect(s.app).toEqual({ logLevel: "info", drainDelaySeconds: 5, shutdownTimeoutSeconds: 15, maxBodyBytes: 1048576, env: {} });
    expect(s.apiToken).toBeUndefined();
    expect(s.database).toEqual({ placement: { kind: "inCluster", storage: "1Gi" }, maxConns: 5, statementTimeoutMilliseconds: 5000 });
    expect(s.databasePassword).toBeUndefined();
    expect(s.delivery).toEqual({ strategy: "rolling" });
  });

  it("takes a multi-platform build, the builder's own platform, a named builder and no cache", () => {
    const image = (v: unknown) => loadSettings("local", { ...minimal, image: json({ registry: "localhost:5001", ...(v as object) }) }).image;
    expect(image({ platforms: ["linux/amd64", "linux/arm64"] })).toMatchObject({ platforms: ["linux/amd64", "linux/arm64"] });
    expect(image({ platforms: "native", builder: "goapi-local", cache: false })).toMatchObject({ platforms: "native", builder: "goapi-local", cache: false });
  });

  it("treats the empty defaults of Pulumi.yaml as unset", () => {
    const s = loadSettings("local", { ...minimal, kubeconfig: "", registryUsername: "", renderYamlTo: "" });
    expect(s.kubeconfig).toBeUndefined();
    expect(s.registryUsername).toBeUndefined();
    expect(s.renderYamlTo).toBeUndefined();
  });

  it("returns secrets as secret outputs", async () => {
    const s = loadSettings("dev", {
      ...minimal,
      image: json({ registry: "ghcr.io/acme" }),
      registryUsername: "bot",
      registryPassword: "registry-password",
      apiToken: "a-long-enough-api-token",
      databasePassword: "the-database-password",
    });
    expect(s.apiToken && (await pulumi.isSecret(s.apiToken))).toBe(true);
    expect(s.registryPassword && (await pulumi.isSecret(s.registryPassword))).toBe(true);
    expect(s.databasePassword && (await pulumi.isSecret(s.databasePassword))).toBe(true);
    expect(JSON.stringify(s)).not.toContain("a-long-enough-api-token");
    expect(JSON.stringify(s)).not.toContain("the-database-password");
  });

  it("deploys a prebuilt digest without a registry", () => {
    const ref = `ghcr.io/acme/goapi@sha256:${"a".repeat(64)}`;
    const s = loadSettings("prod", { ...production, image: json({ ref }) });
    expect(s.image).toEqual({ kind: "prebuilt", ref });
  });

  it("applies the external database's defaults: port 5432, database and user goapi, verify-full, any address", () => {
    expect(loadSettings("prod", production).database).toEqual({
      placement: { kind: "external", host: "db.example.com", port: 5432, name: "goapi", user: "goapi", sslmode: "verify-full", cidrs: [] },
      maxConns: 5,
      statementTimeoutMilliseconds: 5000,
    });
  });

  it("takes an external database at an address inside its CIDRs, with its own port, names and sslmode", () => {
    const external = { host: "10.1.2.3", port: 6432, name: "items", user: "api_user", sslmode: "require", cidrs: ["10.1.0.0/16", "fd00::/8"] };
    const s = loadSettings("staging", { ...minimal, database: json({ external, maxConns: 20, statementTimeoutMilliseconds: 9999 }), databasePassword: "pw" });
    expect(s.database).toEqual({ placement: { kind: "external", ...external }, maxConns: 20, statementTimeoutMilliseconds: 9999 });
  });

  it("takes an in-cluster database with its own storage and class, and a password instead of a generated one", async () => {
    const s = loadSettings("local", { ...minimal, database: json({ inCluster: { storage: "5Gi", storageClassName: "local-path" } }), databasePassword: "pw" });
    expect(s.database.placement).toEqual({ kind: "inCluster", storage: "5Gi", storageClassName: "local-path" });
    expect(s.databasePassword && (await pulumi.isSecret(s.databasePassword))).toBe(true);
  });

  it("takes an in-cluster database image pinned by digest", () => {
    const image = `127.0.0.1:5000/goapi-e2e/postgres@sha256:${"0".repeat(64)}`;
    const s = loadSettings("local", { ...minimal, database: json({ inCluster: { image } }) });
    expect(s.database.placement).toEqual({ kind: "inCluster", storage: "1Gi", image });
  });

  it("measures the statement timeout against a WRITE_TIMEOUT the stack sets in app.env", () => {
    const with_ = (env: Record<string, string>, ms: number) =>
      loadSettings("local", { ...minimal, app: json({ env }), database: json({ inCluster: {}, statementTimeoutMilliseconds: ms }) });
    expect(() => with_({ WRITE_TIMEOUT: "1m30s" }, 60000)).not.toThrow();
    expect(() => with_({ WRITE_TIMEOUT: "2s" }, 1999)).not.toThrow();
    // A value the app would refuse itself is left to the app's own check.
    expect(() => with_({ WRITE_TIMEOUT: "soon" }, 60000)).not.toThrow();
  });

  it("takes substitutes for the Dockerfile's base images, each pinned by digest, for a build only", () => {
    const mirror = `127.0.0.1:5000/mirror/golang@sha256:${"a".repeat(64)}`;
    const base = `golang@sha256:${"b".repeat(64)}`;
    const image = (v: object) => json({ registry: "localhost:5001", ...v });
    expect(loadSettings("local", { ...minimal, image: image({ baseImages: { [base]: mirror } }) }).image).toMatchObject({
      kind: "build",
      baseImages: { [base]: mirror },
    });
    expect(loadSettings("local", { ...minimal, image: image({}) }).image).not.toHaveProperty("baseImages.golang");
    expect(problemsOf("local", { ...minimal, image: image({ baseImages: { [base]: "127.0.0.1:5000/mirror/golang:1.26" } }) })).toEqual([
      `goapi:image.baseImages.${base}: must pin a digest: <repository>@sha256:<64 hex digits>`,
    ]);
    expect(problemsOf("local", { ...minimal, image: image({ baseImages: { "golang 1.26": mirror } }) })).toEqual([
      "goapi:image.baseImages.golang 1.26: must be a FROM image of app/Dockerfile, as written there",
    ]);
    expect(problemsOf("local", { ...minimal, image: json({ ref: mirror, baseImages: { [base]: mirror } }) })).toEqual([
      "goapi:image.baseImages: applies to a build, and image.ref deploys a prebuilt image: remove one of them",
    ]);
    // Either key broken on its own is reported alone, without the rule between them.
    expect(problemsOf("local", { ...minimal, image: json({ ref: "goapi:1.0", baseImages: { [base]: mirror } }) })).toEqual([
      "goapi:image.ref: must pin a digest: <repository>@sha256:<64 hex digits>",
    ]);
    expect(problemsOf("local", { ...minimal, image: json({ ref: mirror, baseImages: { [base]: "golang:1.26" } }) })).toEqual([
      `goapi:image.baseImages.${base}: must pin a digest: <repository>@sha256:<64 hex digits>`,
    ]);
  });

  it("takes an SBOM generator pinned by digest, for a build only", () => {
    const scanner = `127.0.0.1:5000/mirror/buildkit-syft-scanner@sha256:${"c".repeat(64)}`;
    const image = (v: object) => json({ registry: "localhost:5001", ...v });
    expect(loadSettings("local", { ...minimal, image: image({ sbomGenerator: scanner }) }).image).toMatchObject({ kind: "build", sbomGenerator: scanner });
    expect(loadSettings("local", { ...minimal, image: image({}) }).image).toMatchObject({ sbomGenerator: undefined });
    expect(problemsOf("local", { ...minimal, image: image({ sbomGenerator: "docker/buildkit-syft-scanner:stable-1" }) })).toEqual([
      "goapi:image.sbomGenerator: must pin a digest: <repository>@sha256:<64 hex digits>",
    ]);
    expect(problemsOf("local", { ...minimal, image: json({ ref: scanner, sbomGenerator: scanner }) })).toEqual([
      "goapi:image.sbomGenerator: applies to a build, and image.ref deploys a prebuilt image: remove one of them",
    ]);
    expect(problemsOf("local", { ...minimal, image: json({ ref: "goapi:1.0", sbomGenerator: scanner }) })).toEqual(["goapi:image.ref: must pin a digest: <repository>@sha256:<64 hex digits>"]);
  });

  it("reports every bad key at once, each with its path", () => {
    const problems = problemsOf("local", {
      kubeContext: "kind-goapi",
      namespace: "Bad_Namespace",
      image: json({ registry: "localhost:5001" }),
      autoscaling: json({ minReplicas: -1 }),
      ingress: json({ host: "not a host" }),
      database: json({ external: { host: "db.example.com", port: 0 } }),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^goapi:namespace: must be a DNS-1123 label/),
      "goapi:autoscaling.minReplicas: must be at least 1",
      expect.stringMatching(/^goapi:ingress\.host: must be a lower-case DNS host name/),
      "goapi:database.external.port: must be at least 1",
      "goapi:databasePassword: is required with database.external: pulumi config set --secret goapi:databasePassword",
    ]);
  });

  it.each([
    ["a missing kube context", { kubeContext: undefined }, "goapi:kubeContext: is required"],
    ["negative replicas", { autoscaling: json({ minReplicas: -2 }) }, "goapi:autoscaling.minReplicas:"],
    ["fractional replicas", { autoscaling: json({ maxReplicas: 2.5 }) }, "goapi:autoscaling.maxReplicas:"],
    ["min above max", { autoscaling: json({ minReplicas: 5, maxReplicas: 2 }) }, "goapi:autoscaling.minReplicas: (5) must not exceed maxReplicas (2)"],
    ["a utilization above 100", { autoscaling: json({ cpuUtilization: 150 }) }, "goapi:autoscaling.cpuUtilization:"],
    ["a bad host", { ingress: json({ host: "API.Example.com" }) }, "goapi:ingress.host: must be a lower-case DNS host name"],
    ["a wildcard host", { ingress: json({ host: "*.example.com" }) }, "goapi:ingress.host:"],
    ["a path without slash", { ingress: json({ host: "a.b", path: "api" }) }, "goapi:ingress.path: must start with /"],
    ["an empty TLS block", { ingress: json({ host: "a.b", tls: {} }) }, "goapi:ingress.tls: needs secretName"],
    ["a CPU that is not a quantity", { resources: json({ requests: { cpu: "half" } }) }, "goapi:resources.requests.cpu: is not a Kubernetes quantity"],
    ["a memory that is not a quantity", { resources: json({ limits: { memory: "128MB" } }) }, "goapi:resources.limits.memory: is not a Kubernetes quantity"],
    ["a request above its limit", { resources: json({ requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }) }, "goapi:resources.requests.memory: (1Gi) must not exceed the limit (512Mi)"],
    ["a bad registry", { image: json({ registry: "https://ghcr.io" }) }, "goapi:image.registry: must be a registry address"],
    ["no registry and no ref", { image: json({}) }, "goapi:image.registry: is required unless image.ref"],
    ["a ref without digest", { image: json({ ref: "ghcr.io/acme/goapi:1.0" }) }, "goapi:image.ref: must pin a digest"],
    ["a bad platform", { image: json({ registry: "localhost:5001", platforms: ["windows/amd64"] }) }, "goapi:image.platforms: must be a list of linux/amd64, linux/arm64, or native"],
    ["a platform given as a word", { image: json({ registry: "localhost:5001", platforms: "linux/amd64" }) }, "goapi:image.platforms: must be a list of linux/amd64, linux/arm64, or native"],
    ["no platform", { image: json({ registry: "localhost:5001", platforms: [] }) }, "goapi:image.platforms: must list at least one platform, or be native"],
    ["a platform twice", { image: json({ registry: "localhost:5001", platforms: ["linux/arm64", "linux/arm64"] }) }, "goapi:image.platforms: lists a platform twice"],
    ["the old single platform key", { image: json({ registry: "localhost:5001", platform: "linux/amd64" }) }, "goapi:image.platform: is not a setting of this program"],
    ["a tag that is the cache's", { image: json({ registry: "localhost:5001", tag: "buildcache" }) }, 'goapi:image.tag: "buildcache" is the build cache\'s tag'],
    ["a bad builder name", { image: json({ registry: "localhost:5001", builder: "my builder" }) }, "goapi:image.builder: must be the name of a buildx builder"],
    ["a bad tag", { image: json({ registry: "localhost:5001", tag: "-v1" }) }, "goapi:image.tag:"],
    ["a push registry without credentials", { image: json({ registry: "ghcr.io/acme" }) }, "goapi:registryUsername: is required to push to ghcr.io/acme"],
    ["a password without user", { registryPassword: "pw" }, "goapi:registryUsername: goes with the other registry credential"],
    ["a short API token", { apiToken: "short" }, "goapi:apiToken: must be at least 16 characters long"],
    ["a bad log level", { app: json({ logLevel: "verbose" }) }, "goapi:app.logLevel:"],
    ["drain + shutdown too long", { app: json({ drainDelaySeconds: 10, shutdownTimeoutSeconds: 20 }) }, "goapi:app.shutdownTimeoutSeconds: drainDelaySeconds + shutdownTimeoutSeconds must stay below 30"],
    ["an env var the program owns", { app: json({ env: { API_TOKEN: "x" } }) }, "goapi:app.env.API_TOKEN: is set by the program"],
    ["a lower-case env name", { app: json({ env: { feature: "on" } }) }, "goapi:app.env.feature: must be an upper-case variable name"],
    ["an unknown key", { replicas: "3" }, "goapi:replicas: is not a setting of this program (a typo?)"],
    ["an unknown nested key", { autoscaling: json({ minReplica: 2 }) }, "goapi:autoscaling.minReplica: is not a setting of this program (a typo of goapi:autoscaling.minReplicas?)"],
    ["a boolean that is not one", { createNamespace: "yes" }, "goapi:createNamespace:"],
    ["a bad metrics namespace", { metricsNamespace: "Monitoring!" }, "goapi:metricsNamespace: must be a namespace name"],
    ["a bad TLS Secret name", { ingress: json({ host: "a.b", tls: { secretName: "TLS_Secret" } }) }, "goapi:ingress.tls.secretName: must be a Secret name"],
    ["a bad cluster issuer", { ingress: json({ host: "a.b", tls: { clusterIssuer: "Lets Encrypt" } }) }, "goapi:ingress.tls.clusterIssuer: must be a cert-manager ClusterIssuer name"],
    ["a drain shorter than the readiness probe needs", { app: json({ drainDelaySeconds: 1 }) }, "goapi:app.drainDelaySeconds: must be at least 2: the readiness probe needs that long"],
    ["DATABASE_URL in app.env", { app: json({ env: { DATABASE_URL: "postgres://x" } }) }, "goapi:app.env.DATABASE_URL: is set by the program"],
    ["DB_MAX_CONNS in app.env", { app: json({ env: { DB_MAX_CONNS: "9" } }) }, "goapi:app.env.DB_MAX_CONNS: is set by the program"],
    ["DB_STATEMENT_TIMEOUT in app.env", { app: json({ env: { DB_STATEMENT_TIMEOUT: "1s" } }) }, "goapi:app.env.DB_STATEMENT_TIMEOUT: is set by the program"],
    ["no database", { database: undefined }, "goapi:database: is required: inCluster (a PostgreSQL pod of the stack's own) or external (an existing database, with the secret goapi:databasePassword)"],
    ["a database given as a word", { database: "postgres" }, "goapi:database: must be an object with inCluster or external"],
    ["a database that says neither where", { database: json({ maxConns: 5 }) }, "goapi:database: needs one of inCluster"],
    ["a database in and out of the cluster", { database: json({ inCluster: {}, external: { host: "db.example.com" } }), databasePassword: "pw" }, "goapi:database: sets both inCluster and external: keep one"],
    ["an unknown database key", { database: json({ inCluster: {}, url: "postgres://x" }) }, "goapi:database.url: is not a setting of this program (a typo?)"],
    ["a storage that is not a quantity", { database: json({ inCluster: { storage: "1GB" } }) }, "goapi:database.inCluster.storage: is not a Kubernetes quantity"],
    ["a bad StorageClass", { database: json({ inCluster: { storageClassName: "Fast SSD" } }) }, "goapi:database.inCluster.storageClassName: must be a StorageClass name"],
    ["a database image by tag", { database: json({ inCluster: { image: "postgres:15" } }) }, "goapi:database.inCluster.image: must pin a digest: <repository>@sha256:<64 hex digits>"],
    ["an external database without a host", { database: json({ external: {} }), databasePassword: "pw" }, "goapi:database.external.host: is required: the database server's DNS name or IP address"],
    ["an external database with a URL for a host", { database: json({ external: { host: "postgres://db:5432" } }), databasePassword: "pw" }, "goapi:database.external.host: must be a lower-case DNS name or an IP address"],
    ["an external database without its password", { database: json({ external: { host: "db.example.com" } }) }, "goapi:databasePassword: is required with database.external: pulumi config set --secret goapi:databasePassword"],
    ["a port out of range", { database: json({ external: { host: "db.example.com", port: 70000 } }), databasePassword: "pw" }, "goapi:database.external.port:"],
    ["a database name that needs quoting", { database: json({ external: { host: "db.example.com", name: "My-DB" } }), databasePassword: "pw" }, "goapi:database.external.name: must be a lower-case PostgreSQL name"],
    ["a user that needs quoting", { database: json({ external: { host: "db.example.com", user: "api user" } }), databasePassword: "pw" }, "goapi:database.external.user: must be a lower-case PostgreSQL role name"],
    ["an unknown sslmode", { database: json({ external: { host: "db.example.com", sslmode: "on" } }), databasePassword: "pw" }, "goapi:database.external.sslmode: must be one of disable, allow, prefer, require, verify-ca, verify-full"],
    ["a CIDR without prefix", { database: json({ external: { host: "db.example.com", cidrs: ["10.0.0.1"] } }), databasePassword: "pw" }, "goapi:database.external.cidrs.0: must be a CIDR such as 10.0.0.0/16"],
    ["a CIDR with a bad prefix", { database: json({ external: { host: "db.example.com", cidrs: ["10.0.0.0/33"] } }), databasePassword: "pw" }, "goapi:database.external.cidrs.0: must be a CIDR such as 10.0.0.0/16"],
    ["a CIDR that is a host name", { database: json({ external: { host: "db.example.com", cidrs: ["db.example.com/32"] } }), databasePassword: "pw" }, "goapi:database.external.cidrs.0: must be a CIDR such as 10.0.0.0/16"],
    ["a host address outside the CIDRs", { database: json({ external: { host: "10.9.0.1", cidrs: ["10.1.0.0/16"] } }), databasePassword: "pw" }, "goapi:database.external.host: (10.9.0.1) is outside database.external.cidrs: the NetworkPolicy would block it"],
    ["no connections", { database: json({ inCluster: {}, maxConns: 0 }) }, "goapi:database.maxConns:"],
    ["a pool above 100", { database: json({ inCluster: {}, maxConns: 101 }) }, "goapi:database.maxConns:"],
    ["a statement timeout under 100 ms", { database: json({ inCluster: {}, statementTimeoutMilliseconds: 50 }) }, "goapi:database.statementTimeoutMilliseconds: must be at least 100"],
    ["a statement timeout as long as the response", { database: json({ inCluster: {}, statementTimeoutMilliseconds: 10000 }) }, "goapi:database.statementTimeoutMilliseconds: (10000) must stay below the app's WRITE_TIMEOUT (10s), or a slow query outlives its response"],
    ["a statement timeout longer than app.env's WRITE_TIMEOUT", { app: json({ env: { WRITE_TIMEOUT: "1500ms" } }), database: json({ inCluster: {}, statementTimeoutMilliseconds: 1500 }) }, "goapi:database.statementTimeoutMilliseconds: (1500) must stay below the app's WRITE_TIMEOUT (1500ms)"],
  ])("refuses %s", (_what, change, message) => {
    const raw: Record<string, string | undefined> = { ...minimal, ...change };
    const defined = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined));
    expect(problemsOf("local", defined)).toContainEqual(expect.stringContaining(message));
  });

  it.each(["prod", "prod-eu"])("refuses the production stack %s without TLS", (stack) => {
    expect(problemsOf(stack, { ...production, ingress: minimal.ingress })).toEqual([`goapi:ingress.tls: is required on the ${stack} stack: set secretName or clusterIssuer`]);
  });

  it.each(["prod", "prod-eu"])("refuses the production stack %s with a database of its own", (stack) => {
    expect(problemsOf(stack, { ...production, database: minimal.database })).toEqual([
      `goapi:database.inCluster: is not for the ${stack} stack: it is a single PostgreSQL pod without backups or failover; use external`,
    ]);
  });

  it.each(["disable", "allow", "prefer"])("refuses the production stack a database connection with sslmode %s", (sslmode) => {
    expect(problemsOf("prod", { ...production, database: json({ external: { host: "db.example.com", sslmode } }) })).toEqual([
      "goapi:database.external.sslmode: must be require, verify-ca, verify-full on the prod stack: the connection carries the password",
    ]);
  });

  it("names a bad stack name along with the bad keys", () => {
    expect(problemsOf("Prod_EU", { ...minimal, namespace: "Bad" })).toEqual([
      expect.stringMatching(/^stack name 'Prod_EU': must be lower-case letters.*pulumi stack rename prod-eu$/),
      expect.stringMatching(/^goapi:namespace:/),
    ]);
  });

  it("never echoes a secret in a message", () => {
    const problems = problemsOf("local", { ...minimal, apiToken: "hunter2", registryPassword: "pw-hunter3", databasePassword: "hunter4" });
    expect(problems.join("\n")).not.toMatch(/hunter/);
    const database = problemsOf("prod", { ...production, database: json({ external: { host: "10.0.0.1", cidrs: ["10.1.0.0/16"], sslmode: "disable" } }), databasePassword: "hunter5" });
    expect(database).toHaveLength(2);
    expect(database.join("\n")).not.toMatch(/hunter/);
  });
});

describe("loadSettings' messages for a newcomer", () => {
  it.each([
    ["a CPU written as a YAML number", { resources: json({ requests: { cpu: 2 } }) }, 'goapi:resources.requests.cpu: must be a Kubernetes quantity: write "2" in quotes (YAML reads 2 as a number)'],
    ["a memory written as a YAML number", { resources: json({ limits: { memory: 512 } }) }, 'goapi:resources.limits.memory: must be a Kubernetes quantity: write "512" in quotes (YAML reads 512 as a number)'],
    ["a negative quantity", { resources: json({ limits: { memory: -1 } }) }, "goapi:resources.limits.memory: must be a Kubernetes quantity such as 250m, 1, 128Mi or 1Gi, in quotes"],
    ["a host written as a number", { ingress: json({ host: 42 }) }, 'goapi:ingress.host: must be text: write "42" in quotes (YAML reads 42 as a number)'],
    ["replicas below 1", { autoscaling: json({ minReplicas: -1 }) }, "goapi:autoscaling.minReplicas: must be at least 1"],
    ["replicas above 100", { autoscaling: json({ maxReplicas: 101 }) }, "goapi:autoscaling.maxReplicas: must be at most 100"],
    ["fractional replicas", { autoscaling: json({ maxReplicas: 2.5 }) }, "goapi:autoscaling.maxReplicas: must be a whole number"],
    ["a body limit above 64 MiB", { app: json({ maxBodyBytes: 64 * 2 ** 20 + 1 }) }, "goapi:app.maxBodyBytes: must be at most 67108864"],
    ["a port of 0", { database: json({ external: { host: "db.internal", port: 0 } }), databasePassword: "pw" }, "goapi:database.external.port: must be at least 1"],
    ["a boolean written as a word", { createNamespace: "yes" }, "goapi:createNamespace: must be true or false"],
    ["an unknown log level", { app: json({ logLevel: "verbose" }) }, "goapi:app.logLevel: must be one of debug, info, warn, error"],
    ["autoscaling as a word", { autoscaling: "auto" }, "goapi:autoscaling: must be a YAML mapping (key: value lines)"],
    ["a missing ingress", { ingress: undefined }, "goapi:ingress: is required: at least goapi:ingress.host, the host name the API answers on"],
    ["a missing ingress host", { ingress: json({ className: "traefik" }) }, "goapi:ingress.host: is required"],
    ["a CIDR with host bits set", { database: json({ external: { host: "db.internal", cidrs: ["10.0.0.1/16"] } }), databasePassword: "pw" }, "goapi:database.external.cidrs.0: has host bits set: the network is 10.0.0.0/16"],
    ["an IPv6 CIDR with host bits set", { database: json({ external: { host: "db.internal", cidrs: ["fd00::1/8"] } }), databasePassword: "pw" }, "goapi:database.external.cidrs.0: has host bits set: the network is fd00::/8"],
  ])("explains %s", (_what, change, message) => {
    const raw: Record<string, string | undefined> = { ...minimal, ...change };
    const defined = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined));
    const problems = problemsOf("local", defined);
    expect(problems).toContain(message);
    expect(problems.join("\n")).not.toMatch(/Invalid input|Too small|Too big|Invalid option|expected \w+, received/);
  });

  it.each([
    ["10.0.0.0/16", "10.0.0.5"],
    ["10.0.0.1/32", "10.0.0.1"],
    ["0.0.0.0/0", "192.0.2.1"],
    ["fd00::/8", "fd00::5"],
    ["2001:db8::1/128", "2001:db8::1"],
  ])("takes the CIDR %s, whose host bits are clear", (cidr, host) => {
    expect(loadSettings("local", { ...minimal, database: json({ external: { host, cidrs: [cidr] } }), databasePassword: "pw" }).database.placement).toMatchObject({ cidrs: [cidr] });
  });

  it.each([
    ["ingres", "goapi:ingres: is not a setting of this program (a typo of goapi:ingress?)"],
    ["Ingress", "goapi:Ingress: is not a setting of this program (a typo of goapi:ingress?)"],
  ])("reports a misspelt required group %s on one line", (typo, line) => {
    const { ingress, ...rest } = minimal;
    expect(problemsOf("local", { ...rest, [typo]: ingress })).toEqual([line]);
  });

  it("suggests the nearest key for a misspelt nested one, and nothing for a word far from every key", () => {
    expect(problemsOf("local", { ...minimal, autoscaling: json({ minReplica: 2, replicas: 3 }) })).toEqual([
      "goapi:autoscaling.minReplica: is not a setting of this program (a typo of goapi:autoscaling.minReplicas?)",
      "goapi:autoscaling.replicas: is not a setting of this program (a typo?)",
    ]);
  });

  it("reports every bad app.env key at once, the reserved ones among them, along with other groups' problems", () => {
    const problems = problemsOf("local", {
      ...minimal,
      autoscaling: json({ minReplicas: 5, maxReplicas: 2 }),
      app: json({ env: { lower: "x", PORT: "1", "1X": "y", NUMBER: 1, API_TOKEN: "t", FINE: "ok" } }),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "goapi:app.env.lower: must be an upper-case variable name",
        "goapi:app.env.1X: must be an upper-case variable name",
        "goapi:app.env.PORT: is set by the program from other keys; set those instead",
        "goapi:app.env.API_TOKEN: is set by the program from other keys; set those instead",
        'goapi:app.env.NUMBER: must be text: write "1" in quotes (YAML reads 1 as a number)',
        "goapi:autoscaling.minReplicas: (5) must not exceed maxReplicas (2)",
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it("still checks the rules between keys when another group is broken", () => {
    expect(problemsOf("prod", { ...production, namespace: "Bad_Namespace", app: json({ env: { lower: "x" } }), ingress: json({ host: "api.example.com" }), resources: json({ requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }) })).toEqual([
      expect.stringMatching(/^goapi:namespace: /),
      "goapi:app.env.lower: must be an upper-case variable name",
      "goapi:resources.requests.memory: (1Gi) must not exceed the limit (512Mi)",
      "goapi:ingress.tls: is required on the prod stack: set secretName or clusterIssuer",
    ]);
  });

  it.each(["production", "production-eu"])("holds the stack %s to production rules", (stack) => {
    expect(problemsOf(stack, { ...production, ingress: minimal.ingress })).toEqual([`goapi:ingress.tls: is required on the ${stack} stack: set secretName or clusterIssuer`]);
    expect(problemsOf(stack, { ...production, database: minimal.database })).toEqual([
      `goapi:database.inCluster: is not for the ${stack} stack: it is a single PostgreSQL pod without backups or failover; use external`,
    ]);
  });

  it.each(["preprod", "prodigy", "productions", "production2", "dev"])("does not hold %s to production rules", (stack) => {
    expect(() => loadSettings(stack, { ...production, ingress: minimal.ingress, database: json({ external: { host: "db", sslmode: "disable" } }) })).not.toThrow();
  });
});
