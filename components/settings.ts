// The only reader of stack configuration. It validates every `goapi:` key at
// once, applies defaults and returns plain typed settings, so a bad stack file
// fails with a list of problems before any resource is declared.
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { appLimits, database as appDatabase, otelEnv, secretEnv } from "./app-contract";
import { explainIssue, nearestKey, quoteHint } from "./config-messages";
import { cidrSetting } from "./cidr-setting";
import { DatabasePlacement, DatabaseSettings, encryptedSslModes, postgresPort, sslModes, withinCidrs } from "./database";
import { Delivery, defaultStrategy, deliveryOf, deliverySchema } from "./delivery-settings";
import { goDurationMilliseconds } from "./duration";
import { observabilityProblems, observabilitySchema } from "./observability-settings";
import { readinessWindowSeconds } from "./pod";
import { parseQuantity } from "./quantity";
import {
  digestRef,
  dnsLabel,
  envName,
  hostName,
  imageTag,
  isLocalRegistry,
  registryAddress,
  repositoryPath,
} from "./names";

/** Variables the ApiService sets itself; app.env may not override them. */
export const reservedEnv = [
  ...secretEnv,
  "PORT",
  "METRICS_PORT",
  "APP_ENV",
  "LOG_LEVEL",
  "DRAIN_DELAY",
  "SHUTDOWN_TIMEOUT",
  "MAX_BODY_BYTES",
  "DB_MAX_CONNS",
  "DB_STATEMENT_TIMEOUT",
  ...otelEnv,
];

const quantityExamples = "a Kubernetes quantity such as 250m, 1, 128Mi or 1Gi";
const quantity = z
  .string({
    error: (issue) => {
      const hint = typeof issue.input === "number" && issue.input >= 0 ? quoteHint(issue.input) : undefined;
      return hint === undefined ? `must be ${quantityExamples}, in quotes` : `must be a Kubernetes quantity: ${hint}`;
    },
  })
  .refine((q) => parseQuantity(q) !== undefined, { message: `is not ${quantityExamples}` });
const count = (min: number, max: number) => z.int().min(min).max(max);

/** Platforms the image can be built for: the ones the distroless runtime and the Go cross-compile in app/Dockerfile cover. */
const imagePlatforms = ["linux/amd64", "linux/arm64"] as const;
export type ImagePlatform = (typeof imagePlatforms)[number];

/** The tag of the registry cache image, beside the image's own tags. */
export const cacheTag = "buildcache";

const imageSchema = z.strictObject({
  registry: z.string().regex(registryAddress, "must be a registry address such as ghcr.io/acme or localhost:5001").optional(),
  repository: z.string().regex(repositoryPath, "must be a lower-case repository path such as goapi").default("goapi"),
  /** A fixed tag, or "git" for the content address of app/ (components/app-source.ts). The Deployment uses the digest either way. */
  tag: z.string().regex(imageTag, "must be a Docker tag or \"git\"").default("git"),
  /** One image for each platform listed; "native" builds for the builder's own, e.g. a kind node on an arm64 laptop. */
  platforms: z
    .union([
      z.literal("native"),
      z
        .array(z.enum(imagePlatforms))
        .min(1, "must list at least one platform, or be native")
        .refine((p) => new Set(p).size === p.length, { message: "lists a platform twice" }),
    ], { error: `must be a list of ${imagePlatforms.join(", ")}, or native` })
    .default(["linux/amd64"]),
  /** Build cache in the registry, at <repository>:buildcache: read before each build, written (all layers) after it. */
  cache: z.boolean().default(true),
  /** An existing buildx builder to build with (e.g. one on the host network for a localhost registry). */
  builder: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be the name of a buildx builder").optional(),
  /**
   * A FROM image of app/Dockerfile, as written there -> the image to build from instead, pinned by
   * digest: a mirror for a build that cannot pull the pinned bases. Passed to BuildKit as named build
   * contexts, so the Dockerfile stays as it is.
   */
  baseImages: z
    .record(
      z.string().regex(/^\S+$/, "must be a FROM image of app/Dockerfile, as written there"),
      z.string().regex(digestRef, "must pin a digest: <repository>@sha256:<64 hex digits>"),
    )
    .optional(),
  /**
   * The image BuildKit runs to make the SBOM attestation, pinned by digest. Unset: BuildKit's own,
   * docker.io/docker/buildkit-syft-scanner, pulled from Docker Hub at build time: a mirror of it for
   * a builder that cannot reach Docker Hub.
   */
  sbomGenerator: z.string().regex(digestRef, "must pin a digest: <repository>@sha256:<64 hex digits>").optional(),
  /** A prebuilt image to deploy as is: no build, no push. */
  ref: z.string().regex(digestRef, "must pin a digest: <repository>@sha256:<64 hex digits>").optional(),
});

export const autoscalingMetrics = ["cpu", "requests"] as const;

/** Beyond this a pod's target is a typo (the API answers a few thousand requests a second per core). */
export const mostRequestsPerSecond = 100_000;

const autoscalingSchema = z.strictObject({
  minReplicas: count(1, 100).default(1),
  maxReplicas: count(1, 100).default(3),
  /** What the replica count follows: CPU (an HPA) or the request rate (a KEDA ScaledObject on Prometheus). */
  metric: z.enum(autoscalingMetrics, { error: `must be ${autoscalingMetrics.join(" or ")}` }).default("cpu"),
  cpuUtilization: count(1, 100).default(70),
  memoryUtilization: count(1, 100).optional(),
  /** With metric: requests, the requests per second one pod should serve. */
  requestsPerSecond: z.number().gt(0).max(mostRequestsPerSecond).optional(),
});

const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity.default("50m"), memory: quantity.default("32Mi") }).prefault({}),
  limits: z.strictObject({ cpu: quantity.default("500m"), memory: quantity.default("128Mi") }).prefault({}),
});

const ingressSchema = z.strictObject(
  {
    className: z.string().regex(dnsLabel, "must be an IngressClass name").default("traefik"),
    host: z.string().regex(hostName, "must be a lower-case DNS host name such as api.example.com"),
    path: z.string().regex(/^\/[^\s]*$/, "must start with /").default("/"),
    /** Namespace of the ingress controller, the only one the NetworkPolicy lets reach the API port. */
    controllerNamespace: z.string().regex(dnsLabel, "must be a namespace name").default("traefik"),
    tls: z
      .strictObject({
        secretName: z.string().regex(dnsLabel, "must be a Secret name").optional(),
        clusterIssuer: z.string().regex(dnsLabel, "must be a cert-manager ClusterIssuer name").optional(),
      })
      .refine((t) => t.secretName !== undefined || t.clusterIssuer !== undefined, {
        message: "needs secretName (an existing TLS Secret) or clusterIssuer (cert-manager issues one)",
      })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === "invalid_type" && issue.input === undefined ? "is required: at least goapi:ingress.host, the host name the API answers on" : undefined,
  },
);

const appSchema = z.strictObject({
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  drainDelaySeconds: z
    .int()
    .min(readinessWindowSeconds, `must be at least ${readinessWindowSeconds}: the readiness probe needs that long to take a draining pod out of the Service`)
    .max(25)
    .default(5),
  shutdownTimeoutSeconds: count(appLimits.minShutdownTimeoutSeconds, 25).default(15),
  maxBodyBytes: count(appLimits.minBodyBytes, 64 * 2 ** 20).default(2 ** 20),
  /** Extra plain environment variables for the ConfigMap. */
  env: z
    .record(
      z
        .string()
        .regex(envName, "must be an upper-case variable name")
        .refine((name) => !reservedEnv.includes(name), { message: "is set by the program from other keys; set those instead" }),
      z.string(),
    )
    .default({}),
});

const placementChoice = "inCluster (a PostgreSQL pod of the stack's own) or external (an existing database, with the secret goapi:databasePassword)";

/** A PostgreSQL role or database name that needs no quoting. */
const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

const databaseSchema = z.strictObject(
  {
    inCluster: z
      .strictObject({
        storage: quantity.default("1Gi"),
        storageClassName: z.string().regex(hostName, "must be a StorageClass name").optional(),
        /** Another PostgreSQL image with the official image's contract (components/postgres.ts), pinned by digest. */
        image: z.string().regex(digestRef, "must pin a digest: <repository>@sha256:<64 hex digits>").optional(),
      })
      .optional(),
    external: z
      .strictObject({
        host: z
          .string({ error: (issue) => (issue.input === undefined ? "is required: the database server's DNS name or IP address" : undefined) })
          .refine((h) => hostName.test(h) || isIP(h) !== 0, { message: "must be a lower-case DNS name or an IP address" }),
        port: count(1, 65535).default(postgresPort),
        name: z.string().regex(identifier, "must be a lower-case PostgreSQL name such as goapi").default("goapi"),
        user: z.string().regex(identifier, "must be a lower-case PostgreSQL role name such as goapi").default("goapi"),
        sslmode: z.enum(sslModes).default("verify-full"),
        cidrs: z.array(cidrSetting).default([]),
      })
      .optional(),
    maxConns: count(appLimits.dbMaxConns.min, appLimits.dbMaxConns.max).default(appDatabase.maxConns),
    statementTimeoutMilliseconds: z
      .int()
      .min(appLimits.minStatementTimeoutMilliseconds)
      .default(5000),
  },
  { error: (issue) => (issue.code === "invalid_type" ? "must be an object with inCluster or external" : undefined) },
);

const schema = z.strictObject({
  kubeContext: z.string({ error: "is required: the kubeconfig context of the target cluster" }),
  kubeconfig: z.string().optional(),
  namespace: z.string().regex(dnsLabel, "must be a DNS-1123 label such as goapi").default("goapi"),
  createNamespace: z.boolean().default(true),
  /** Where the Kubernetes provider writes YAML instead of applying to the cluster. */
  renderYamlTo: z.string().optional(),
  image: imageSchema.prefault({}),
  registryUsername: z.string().optional(),
  registryPassword: z.string().optional(),
  apiToken: z.string().min(appLimits.minTokenLength, `must be at least ${appLimits.minTokenLength} characters long`).optional(),
  autoscaling: autoscalingSchema.prefault({}),
  resources: resourcesSchema.prefault({}),
  ingress: ingressSchema,
  app: appSchema.prefault({}),
  // Optional here and required by crossCheck, so that its absence does not hide the other problems.
  database: databaseSchema.optional(),
  /** The external database user's password, or the in-cluster database's instead of a generated one. */
  databasePassword: z.string().optional(),
  /** Namespace whose Prometheus may scrape the metrics port. */
  metricsNamespace: z.string().regex(dnsLabel, "must be a namespace name").default("monitoring"),
  observability: observabilitySchema.prefault({}),
  delivery: deliverySchema.prefault({}),
});

type Raw = z.output<typeof schema>;

type Path = (string | number)[];

/**
 * What a cross-key rule may read. The rules run even when other keys are
 * broken, so that every problem is reported at once; a rule whose keys have
 * problems of their own is skipped, since their values are not what the user
 * meant. (Unknown keys do not count: they change no value.)
 */
interface Reads {
  /** No problem at these keys, nor inside them: their values can be used. */
  valid: (...paths: string[]) => boolean;
  /** No problem at these keys or around them: whether they are set can be used. */
  settled: (...paths: string[]) => boolean;
}

function readsOf(prior: readonly { code: string; path?: PropertyKey[] }[]): Reads {
  const broken = prior.filter((i) => i.code !== "unrecognized_keys").map((i) => (i.path ?? []).map(String));
  const startsWith = (path: string[], prefix: string[]) => prefix.every((p, i) => path[i] === p);
  return {
    valid: (...paths) => paths.map((p) => p.split(".")).every((p) => broken.every((b) => !startsWith(p, b) && !startsWith(b, p))),
    settled: (...paths) => paths.map((p) => p.split(".")).every((p) => broken.every((b) => !startsWith(p, b))),
  };
}

/** Cross-key rules; each adds an issue at the key a user has to change. */
function crossCheck(s: Raw, stack: string, reads: Reads, issue: (path: Path, message: string) => void): void {
  const { valid, settled } = reads;
  // A broken registry is set, so only a broken ref keeps this rule from knowing what was meant.
  if (settled("image.ref") && s.image.ref === undefined && s.image.registry === undefined) {
    issue(["image", "registry"], "is required unless image.ref names a prebuilt image");
  }
  for (const buildOnly of ["baseImages", "sbomGenerator"] as const) {
    if (valid("image.ref", `image.${buildOnly}`) && s.image.ref !== undefined && s.image[buildOnly] !== undefined) {
      issue(["image", buildOnly], "applies to a build, and image.ref deploys a prebuilt image: remove one of them");
    }
  }
  if (valid("image.cache") && s.image.cache && s.image.tag === cacheTag) {
    issue(["image", "tag"], `"${cacheTag}" is the build cache's tag; choose another, or set image.cache to false`);
  }
  if (valid("image.ref", "image.registry")) {
    const pushTo = s.image.ref === undefined && s.image.registry !== undefined && !isLocalRegistry(s.image.registry) ? s.image.registry : undefined;
    const pushes = pushTo !== undefined;
    const why = pushes ? `is required to push to ${pushTo}` : "goes with the other registry credential";
    if (s.registryUsername === undefined && (pushes || s.registryPassword !== undefined)) {
      issue(["registryUsername"], why);
    }
    if (s.registryPassword === undefined && (pushes || s.registryUsername !== undefined)) {
      issue(["registryPassword"], `${why}: pulumi config set --secret goapi:registryPassword`);
    }
  }
  if (valid("autoscaling.metric", "autoscaling.requestsPerSecond")) {
    if (s.autoscaling.metric === "requests" && s.autoscaling.requestsPerSecond === undefined) {
      issue(["autoscaling", "requestsPerSecond"], "is required with metric: requests: the requests per second one pod should serve");
    }
    if (s.autoscaling.metric === "cpu" && s.autoscaling.requestsPerSecond !== undefined) {
      issue(["autoscaling", "requestsPerSecond"], "is read only with metric: requests (the metric is cpu)");
    }
  }
  if (valid("autoscaling.minReplicas", "autoscaling.maxReplicas") && s.autoscaling.minReplicas > s.autoscaling.maxReplicas) {
    issue(["autoscaling", "minReplicas"], `(${s.autoscaling.minReplicas}) must not exceed maxReplicas (${s.autoscaling.maxReplicas})`);
  }
  for (const resource of ["cpu", "memory"] as const) {
    if (!valid(`resources.requests.${resource}`, `resources.limits.${resource}`)) {
      continue;
    }
    const request = parseQuantity(s.resources.requests[resource]);
    const limit = parseQuantity(s.resources.limits[resource]);
    if (request !== undefined && limit !== undefined && request > limit) {
      issue(["resources", "requests", resource], `(${s.resources.requests[resource]}) must not exceed the limit (${s.resources.limits[resource]})`);
    }
  }
  if (valid("app.drainDelaySeconds", "app.shutdownTimeoutSeconds") && s.app.drainDelaySeconds + s.app.shutdownTimeoutSeconds >= appLimits.gracefulStopSeconds) {
    issue(["app", "shutdownTimeoutSeconds"], `drainDelaySeconds + shutdownTimeoutSeconds must stay below ${appLimits.gracefulStopSeconds}`);
  }
  if (settled("ingress.tls") && isProduction(stack) && s.ingress.tls === undefined) {
    issue(["ingress", "tls"], `is required on the ${stack} stack: set secretName or clusterIssuer`);
  }
  // On a canary stack the certificate is the Gateway listener's: routes attached to no listener in
  // particular would be served by a plain-HTTP one as well.
  if (
    valid("ingress.tls", "delivery.strategy", "delivery.canary.gateway.listener") &&
    s.ingress.tls !== undefined &&
    (s.delivery.strategy ?? defaultStrategy(isProduction(stack))) === "canary" &&
    s.delivery.canary.gateway.listener === undefined
  ) {
    issue(
      ["delivery", "canary", "gateway", "listener"],
      "is required on a canary stack with goapi:ingress.tls: the name of the Gateway's HTTPS listener, which holds the certificate (without it the routes attach to every listener of the Gateway, a plain-HTTP one included)",
    );
  }
  crossCheckDatabase(s, stack, reads, issue);
  if (valid("observability.tracing", "observability.prometheusUrl")) {
    for (const p of observabilityProblems(s.observability)) {
      issue(["observability", ...p.path], p.message);
    }
  }
}

function crossCheckDatabase(s: Raw, stack: string, { valid, settled }: Reads, issue: (path: Path, message: string) => void): void {
  if (!settled("database.inCluster", "database.external")) {
    return;
  }
  if (s.database === undefined) {
    issue(["database"], `is required: ${placementChoice}`);
    return;
  }
  const { inCluster, external } = s.database;
  if (inCluster === undefined && external === undefined) {
    issue(["database"], `needs one of ${placementChoice}`);
  }
  if (inCluster !== undefined && external !== undefined) {
    issue(["database"], "sets both inCluster and external: keep one");
  }
  if (inCluster !== undefined && isProduction(stack)) {
    issue(["database", "inCluster"], `is not for the ${stack} stack: it is a single PostgreSQL pod without backups or failover; use external`);
  }
  if (external !== undefined) {
    if (s.databasePassword === undefined) {
      issue(["databasePassword"], "is required with database.external: pulumi config set --secret goapi:databasePassword");
    }
    if (valid("database.external.host", "database.external.cidrs") && isIP(external.host) !== 0 && external.cidrs.length > 0 && !withinCidrs(external.host, external.cidrs)) {
      issue(["database", "external", "host"], `(${external.host}) is outside database.external.cidrs: the NetworkPolicy would block it`);
    }
    if (valid("database.external.sslmode") && isProduction(stack) && !encryptedSslModes.includes(external.sslmode)) {
      issue(["database", "external", "sslmode"], `must be ${encryptedSslModes.join(", ")} on the ${stack} stack: the connection carries the password`);
    }
  }
  if (!valid("database.statementTimeoutMilliseconds", "app.env.WRITE_TIMEOUT")) {
    return;
  }
  const writeTimeout = s.app.env.WRITE_TIMEOUT;
  const writeTimeoutMilliseconds = writeTimeout === undefined ? appLimits.writeTimeoutSeconds * 1000 : goDurationMilliseconds(writeTimeout);
  if (writeTimeoutMilliseconds !== undefined && s.database.statementTimeoutMilliseconds >= writeTimeoutMilliseconds) {
    issue(
      ["database", "statementTimeoutMilliseconds"],
      `(${s.database.statementTimeoutMilliseconds}) must stay below the app's WRITE_TIMEOUT (${writeTimeout ?? `${appLimits.writeTimeoutSeconds}s`}), or a slow query outlives its response`,
    );
  }
}

/**
 * A stack name becomes APP_ENV (which the app checks against the same rule)
 * and part of the pods' selector label, which can never change.
 */
const stackName = /^[a-z][a-z0-9-]{0,31}$/;

function stackNameProblem(stack: string): string | undefined {
  if (stackName.test(stack)) {
    return undefined;
  }
  const suggestion = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 32);
  const rename = stackName.test(suggestion) ? `, e.g. pulumi stack rename ${suggestion}` : "";
  return `  stack name '${stack}': must be lower-case letters, digits or '-', start with a letter and have at most 32 characters, because it becomes APP_ENV and part of the pods' selector label${rename}`;
}

/** Production stacks are held to stricter rules (TLS, an external database reached encrypted). */
export const productionStacks = /^prod(uction)?(-|$)/;

export function isProduction(stack: string): boolean {
  return productionStacks.test(stack);
}

/** Keys whose values are plain strings (an empty one is unset, so none needs a minimum length); every other key holds YAML that the CLI passes as JSON. */
const stringKeys = new Set(["kubeContext", "kubeconfig", "namespace", "renderYamlTo", "registryUsername", "registryPassword", "apiToken", "databasePassword"]);

/** Either a prebuilt image to deploy, or how to build and push one. */
export type ImagePlan =
  | { kind: "prebuilt"; ref: string }
  | {
      kind: "build";
      registry: string;
      repository: string;
      tag: string;
      platforms: ImagePlatform[] | "native";
      cache: boolean;
      builder?: string;
      baseImages?: Record<string, string>;
      sbomGenerator?: string;
    };

/** Settings with the image plan resolved and the secrets wrapped as secret outputs. */
export type Settings = Omit<Raw, "image" | "registryPassword" | "apiToken" | "database" | "databasePassword" | "delivery"> & {
  stack: string;
  delivery: Delivery;
  image: ImagePlan;
  registryPassword?: pulumi.Output<string>;
  apiToken?: pulumi.Output<string>;
  database: DatabaseSettings;
  databasePassword?: pulumi.Output<string>;
};

/** Thrown with every problem found, one per line. */
export class SettingsError extends pulumi.RunError {}

/**
 * Validates `raw`, the stack's `goapi:` values as the CLI hands them over
 * (key without namespace -> string), for `stack`.
 */
export function loadSettings(stack: string, raw: Record<string, string>): Settings {
  const problems: string[] = [];
  const nameProblem = stackNameProblem(stack);
  if (nameProblem !== undefined) {
    problems.push(nameProblem);
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (stringKeys.has(key)) {
      input[key] = value === "" ? undefined : value;
      continue;
    }
    try {
      input[key] = JSON.parse(value);
    } catch {
      // A bare word where YAML was expected: let the schema report the type.
      input[key] = value;
    }
  }
  const checked = schema.superRefine(
    (s, ctx) => {
      crossCheck(s, stack, readsOf(ctx.issues), (path, message) => {
        ctx.addIssue({ code: "custom", path, message });
      });
    },
    { when: () => true },
  );
  const result = checked.safeParse(input, { error: explainIssue });
  if (!result.success) {
    problems.push(...describeIssues(result.error.issues).map((line) => `  ${line}`));
  }
  if (!result.success || problems.length > 0) {
    throw new SettingsError(`Stack '${stack}' has invalid configuration (nothing was changed):\n${problems.join("\n")}`);
  }
  const { image, registryPassword, apiToken, database, databasePassword, delivery, ...plain } = result.data;
  const secret = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
  return {
    ...plain,
    stack,
    image: imagePlan(image),
    delivery: deliveryOf(delivery, isProduction(stack), plain.ingress.controllerNamespace),
    registryPassword: secret(registryPassword),
    apiToken: secret(apiToken),
    database: databaseOf(database),
    databasePassword: secret(databasePassword),
  };
}

function databaseOf(d: Raw["database"]): DatabaseSettings {
  if (d === undefined) {
    throw new Error("crossCheck lets no stack without a database through");
  }
  const { inCluster, external, ...use } = d;
  let placement: DatabasePlacement;
  if (external !== undefined) {
    placement = { kind: "external", ...external };
  } else if (inCluster !== undefined) {
    placement = { kind: "inCluster", ...inCluster };
  } else {
    throw new Error("crossCheck lets no database without inCluster or external through");
  }
  return { placement, ...use };
}

function imagePlan(i: Raw["image"]): ImagePlan {
  if (i.ref !== undefined) {
    return { kind: "prebuilt", ref: i.ref };
  }
  if (i.registry === undefined) {
    throw new Error("crossCheck lets no image without registry or ref through");
  }
  const { registry, repository, tag, platforms, cache, builder, baseImages, sbomGenerator } = i;
  return { kind: "build", registry, repository, tag, platforms, cache, builder, baseImages, sbomGenerator };
}

function configPath(path: PropertyKey[]): string {
  return `goapi:${path.map(String).join(".")}`;
}

/** The keys a group of the schema knows, for suggestions. */
function knownKeys(path: PropertyKey[]): string[] {
  interface Node {
    def: { innerType?: Node; shape?: Record<string, Node> };
  }
  let node: Node | undefined = schema as unknown as Node;
  for (const key of path) {
    while (node?.def.innerType !== undefined) {
      node = node.def.innerType;
    }
    node = node?.def.shape?.[String(key)];
  }
  while (node?.def.innerType !== undefined) {
    node = node.def.innerType;
  }
  return Object.keys(node?.def.shape ?? {});
}

/**
 * One line per problem. An unknown key that is a typo of a known one names
 * it, and a required key it was meant to be is then not reported missing too.
 */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const typos = issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ issue, key, nearest: nearestKey(key, knownKeys(issue.path)) }))
      : [],
  );
  const meant = new Set(typos.flatMap((t) => (t.nearest === undefined ? [] : [configPath([...t.issue.path, t.nearest])])));
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return typos
        .filter((t) => t.issue === issue)
        .map(({ key, nearest }) => `${configPath([...issue.path, key])}: is not a setting of this program (${nearest === undefined ? "a typo?" : `a typo of ${configPath([...issue.path, nearest])}?`})`);
    }
    const where = configPath(issue.path);
    return meant.has(where) && issue.message.startsWith("is required") ? [] : [`${where}: ${issue.message}`];
  });
}

/** The running stack's `goapi:` configuration, as the CLI passed it. */
export function stackConfig(): Record<string, string> {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) {
      raw[key.slice(prefix.length)] = value;
    }
  }
  return raw;
}
