// ApiService: everything the API needs in its namespace: identity, config,
// secrets, its database (a PostgreSQL pod of its own, or the way out to an
// external one), the schema migration, workload, autoscaling, disruption
// budget and network policy, all selecting the same pods; and how a release
// reaches the users: a Service and an Ingress (rolling), or a Flagger canary
// that generates them over the Gateway API (docs/delivery.md).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiPort, database as appDatabase, databaseUrlEnv, metricsPort, otelSampler, tokenEnv } from "./app-contract";
import { canaryNames, servicePort } from "./canary";
import { databaseUrl, DatabaseSettings } from "./database";
import { ApiDelivery } from "./delivery";
import type { Delivery } from "./delivery-settings";
import { CollectorEndpoint, collectorEgress, databaseEgress, DatabaseEndpoint, dnsEgress } from "./egress";
import { labelsFor } from "./labels";
import { SchemaMigration } from "./migration";
import { podSpec } from "./pod";
import { Postgres } from "./postgres";
import { declareHpa, ScalerTarget, ScalingArgs } from "./scaler";

/** Connections a migration run opens. */
const migrationConnections = 1;
/** Beyond the pools: the superuser reserve and someone with psql. */
const spareConnections = 5;

export interface ApiServiceArgs {
  /** Image pinned by digest. */
  image: pulumi.Input<string>;
  namespace: string;
  /** Create the namespace, labelled to enforce Pod Security "restricted". */
  createNamespace: boolean;
  /** APP_ENV for the app, usually the stack name. */
  appEnv: string;
  app: {
    logLevel: string;
    drainDelaySeconds: number;
    shutdownTimeoutSeconds: number;
    maxBodyBytes: number;
    env: Record<string, string>;
  };
  /** Bearer token for writes; kept secret end to end. */
  apiToken: pulumi.Input<string>;
  /** Where the database is, how the app uses it, and its password (kept secret end to end). */
  database: DatabaseSettings & { password: pulumi.Input<string> };
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  autoscaling: ScalingArgs;
  /** Rolling, or a canary through Flagger. */
  delivery: Delivery;
  /** Prometheus' HTTP API in the cluster: the canary's analysis and request-rate scaling query it. */
  prometheusUrl: string;
  ingress: {
    className: string;
    host: string;
    path: string;
    controllerNamespace: string;
    tls?: { secretName?: string; clusterIssuer?: string };
  };
  /** Namespace whose Prometheus may scrape the metrics port. */
  metricsNamespace: string;
  /** Where the pods send their traces; without it, tracing is off. */
  tracing?: ApiTracing;
  /** Before declaring a Canary or a ScaledObject, check that this cluster serves them; unset in render mode (no cluster to ask). */
  cluster?: { provider: k8s.Provider; stack: string };
}

export interface ApiTracing {
  /** The collector's OTLP/HTTP endpoint. */
  endpoint: string;
  /** The share of new traces sampled; a sampled caller's trace is always continued. */
  sampleRatio: number;
  serviceName: string;
  /** Resource attributes every pod's traces carry besides its own identity (environment, version). */
  attributes: Record<string, string>;
  collector: CollectorEndpoint;
}

export interface ScrapeTarget {
  /** The Service's name, which a ServiceMonitor makes its targets' job label. */
  job: string;
  /** The labels that select the Service. */
  serviceSelector: Record<string, string>;
  /** Its port for the metrics. */
  metricsPort: string;
  /** The recommended labels, for objects about the API. */
  labels: Record<string, string>;
  /** The migration Jobs are auto-named from this. */
  migrationJobPrefix: string;
}

export type DeliveryOutput =
  | { strategy: "rolling" }
  | {
      strategy: "canary";
      /** The Canary to watch: its phase is Progressing, Promoting, Succeeded or Failed (rolled back). */
      canary: string;
      steps: number[];
      /** The command that follows a release to its end. */
      follow: string;
    };

export class ApiService extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly deploymentName: pulumi.Output<string>;
  /** The Service the API answers on: ours (rolling), or the one Flagger generates (canary). */
  public readonly serviceName: pulumi.Output<string>;
  /** The Ingress (rolling only). */
  public readonly ingressName?: pulumi.Output<string>;
  /** The HTTPRoute Flagger generates (canary only). */
  public readonly routeName?: string;
  /** How releases reach the users, for the stack outputs. */
  public readonly delivery: DeliveryOutput;
  /** The Job that migrated the schema for the image now deployed (kubectl logs job/<name>). */
  public readonly migrationJobName: pulumi.Output<string>;
  public readonly url: string;
  /** What Prometheus scrapes and the alerts watch: plain values, known before any resource exists. */
  public readonly scrapeTarget: ScrapeTarget;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:ApiService", name, {}, opts);
    const child = { parent: this };
    const labels = labelsFor({ instance: name, stack: args.appEnv, component: "api" });
    // Its own instance: the API's selector must not pick up the migration's pods.
    const migrationLabels = labelsFor({ instance: `${name}-migrate`, app: name, stack: args.appEnv, component: "migration" });
    const meta = () => ({ name, namespace: this.namespace, labels: labels.all });
    const canary = args.delivery.strategy === "canary" ? args.delivery.canary : undefined;
    // Flagger's primary copy of the Deployment renames the pods'
    // app.kubernetes.io/name (to <name>-primary); the instance label is the
    // one both copies keep, so in a canary it alone selects all the API's pods.
    const pods = canary === undefined ? labels.selector : { "app.kubernetes.io/instance": labels.selector["app.kubernetes.io/instance"] ?? "" };
    // No name: the provider names them <name>-<random suffix>, so a change
    // creates a new object before the old one goes, and the Deployment's
    // reference to it changes, which rolls the pods. With a fixed name the
    // provider would have to delete first, taking the Deployment with it.
    const autoNamed = () => ({ namespace: this.namespace, labels: labels.all });

    if (args.createNamespace) {
      const ns = new k8s.core.v1.Namespace(
        name,
        {
          metadata: {
            name: args.namespace,
            labels: {
              ...labels.all,
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/warn": "restricted",
              "pod-security.kubernetes.io/audit": "restricted",
            },
          },
        },
        // Removing the namespace from the program (createNamespace: false on
        // a live stack, or a destroy) must never delete what else it holds.
        { ...child, retainOnDelete: true },
      );
      this.namespace = ns.metadata.name;
    } else {
      this.namespace = pulumi.output(args.namespace);
    }

    const account = new k8s.core.v1.ServiceAccount(name, { metadata: meta(), automountServiceAccountToken: false }, child);

    const configData: Record<string, string> = {
      ...args.app.env,
      APP_ENV: args.appEnv,
      LOG_LEVEL: args.app.logLevel,
      PORT: String(apiPort),
      METRICS_PORT: String(metricsPort),
      DRAIN_DELAY: `${args.app.drainDelaySeconds}s`,
      SHUTDOWN_TIMEOUT: `${args.app.shutdownTimeoutSeconds}s`,
      MAX_BODY_BYTES: String(args.app.maxBodyBytes),
      DB_MAX_CONNS: String(args.database.maxConns),
      DB_STATEMENT_TIMEOUT: `${args.database.statementTimeoutMilliseconds}ms`,
      ...(args.tracing === undefined
        ? {}
        : {
            OTEL_EXPORTER_OTLP_ENDPOINT: args.tracing.endpoint,
            OTEL_SERVICE_NAME: args.tracing.serviceName,
            OTEL_TRACES_SAMPLER: otelSampler,
            OTEL_TRACES_SAMPLER_ARG: String(args.tracing.sampleRatio),
          }),
    };
    const config = new k8s.core.v1.ConfigMap(name, { metadata: autoNamed(), immutable: true, data: configData }, child);

    // The Kubernetes SDK marks a Secret's data secret, even from a plain token.
    const secretData = pulumi.output(args.apiToken).apply((token) => ({ [tokenEnv]: token }));
    const secret = new k8s.core.v1.Secret(name, { metadata: autoNamed(), immutable: true, type: "Opaque", stringData: secretData }, child);

    const db = this.databaseOf(name, args, [pods, migrationLabels.selector]);
    // A Secret of its own, so that a new token rolls the pods without running
    // the migration, and a new DATABASE_URL runs it (against the new
    // database) before the pods roll.
    const databaseSecret = new k8s.core.v1.Secret(
      `${name}-database-url`,
      { metadata: autoNamed(), immutable: true, type: "Opaque", stringData: db.url.apply((url) => ({ [databaseUrlEnv]: url })) },
      child,
    );
    const toDatabase = databaseEgress(db.endpoint);

    const migration = new SchemaMigration(
      `${name}-migrate`,
      {
        image: args.image,
        namespace: this.namespace,
        labels: migrationLabels,
        serviceAccountName: account.metadata.name,
        databaseSecretName: databaseSecret.metadata.name,
        databaseEgress: toDatabase,
        // An in-cluster database must answer before the migration starts.
        waitFor: db.server === undefined ? [] : [db.server],
      },
      child,
    );

    const singlePod = args.autoscaling.minReplicas === 1;
    const deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: {
          ...meta(),
          annotations: {
            // The image is pinned by digest, so IfNotPresent always runs the
            // intended image; topologySpreadConstraints spread the pods over
            // nodes and zones in place of a pod anti-affinity; replicas is
            // set for the first rollout only (see spec.replicas); a stack that
            // asks for a single pod (local, dev) accepts its disruption.
            "kube-score/ignore": [
              "container-image-pull-policy",
              "deployment-has-host-podantiaffinity",
              "deployment-targeted-by-hpa-does-not-have-replicas-configured",
              ...(singlePod ? ["deployment-has-poddisruptionbudget"] : []),
            ].join(","),
            // In a canary the Deployment is the release candidate: whether it
            // is promoted or rolled back is Flagger's judgement on metrics,
            // long after `pulumi up` applied it (docs/delivery.md: where `up`
            // hands over). Flagger also scales it to 0 between releases.
            ...(canary === undefined ? {} : { "pulumi.com/skipAwait": "true" }),
          },
        },
        spec: {
          // The first rollout starts at the HPA's minimum instead of one pod.
          // After that the HPA owns the count: ignoreChanges keeps Pulumi from
          // sending it again, and the provider leaves a field that another
          // manager (the HPA, through the scale subresource) has taken.
          replicas: args.autoscaling.minReplicas,
          selector: { matchLabels: labels.selector },
          revisionHistoryLimit: 5,
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: {
              labels: labels.all,
              annotations: {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": String(metricsPort),
              },
            },
            spec: podSpec({
              image: args.image,
              serviceAccountName: account.metadata.name,
              configMapName: config.metadata.name,
              secretName: secret.metadata.name,
              databaseSecretName: databaseSecret.metadata.name,
              resources: args.resources,
              drainDelaySeconds: args.app.drainDelaySeconds,
              shutdownTimeoutSeconds: args.app.shutdownTimeoutSeconds,
              spread: args.autoscaling.maxReplicas > 1,
              selector: labels.selector,
              traceAttributes: args.tracing?.attributes,
            }),
          },
        },
      },
      // The pods of a new image start only after its migration completed;
      // a failed migration leaves the running pods as they are.
      { ...child, ignoreChanges: ["spec.replicas"], dependsOn: [migration] },
    );

    const scalerTarget: ScalerTarget = {
      name,
      namespace: this.namespace,
      namespaceName: args.namespace,
      labels: labels.all,
      service: canary === undefined ? name : canaryNames(name).canary,
      primaryService: canary === undefined ? undefined : canaryNames(name).primary,
      prometheusUrl: args.prometheusUrl,
    };
    const hpa =
      args.autoscaling.metric === "cpu"
        ? declareHpa(args.autoscaling, { ...scalerTarget, annotations: singlePod ? { "kube-score/ignore": "horizontalpodautoscaler-replicas" } : undefined }, this)
        : undefined;
    if (hpa === undefined || canary !== undefined) {
      new ApiDelivery(
        name,
        {
          target: scalerTarget,
          scaling: hpa === undefined ? { kind: "requests", autoscaling: args.autoscaling } : { kind: "hpa", hpa },
          canary: canary === undefined ? undefined : { settings: canary, host: args.ingress.host, path: args.ingress.path },
          cluster: args.cluster,
        },
        child,
      );
    }

    if (!singlePod) {
      new k8s.policy.v1.PodDisruptionBudget(name, { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: pods } } }, child);
    }

    const fromNamespace = (ns: string, port: string) => ({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } }],
      ports: [{ port, protocol: "TCP" }],
    });
    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: meta(),
        spec: {
          podSelector: { matchLabels: pods },
          policyTypes: ["Ingress", "Egress"],
          ingress: [fromNamespace(args.ingress.controllerNamespace, "http"), fromNamespace(args.metricsNamespace, "metrics")],
          // The API calls only its database, found by name through the
          // cluster DNS, and the collector its traces go to, if any.
          egress: [dnsEgress, toDatabase, ...(args.tracing === undefined ? [] : [collectorEgress(args.tracing.collector)])],
        },
      },
      child,
    );

    const tls = args.ingress.tls;
    this.url = `${tls ? "https" : "http"}://${args.ingress.host}${args.ingress.path}`;
    this.deploymentName = deployment.metadata.name;
    this.migrationJobName = migration.jobName;
    this.scrapeTarget = { job: name, serviceSelector: pods, metricsPort: "metrics", labels: labels.all, migrationJobPrefix: `${name}-migrate` };
    if (canary !== undefined) {
      const names = canaryNames(name);
      this.serviceName = pulumi.output(names.route);
      this.routeName = names.route;
      this.delivery = { strategy: "canary", canary: name, steps: canary.steps, follow: `kubectl --namespace ${args.namespace} get canary ${name} --watch` };
      this.registerOutputs({ namespace: this.namespace, migrationJobName: this.migrationJobName, deploymentName: this.deploymentName, serviceName: this.serviceName, url: this.url });
      return;
    }
    this.delivery = { strategy: "rolling" };

    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: meta(),
        spec: {
          type: "ClusterIP",
          selector: labels.selector,
          ports: [
            { name: "http", port: servicePort, targetPort: "http", protocol: "TCP" },
            { name: "metrics", port: metricsPort, targetPort: "metrics", protocol: "TCP" },
          ],
        },
      },
      child,
    );

    const tlsSecretName = tls ? (tls.secretName ?? `${name}-tls`) : undefined;
    const ingress = new k8s.networking.v1.Ingress(
      name,
      {
        metadata: {
          ...meta(),
          annotations: tls?.clusterIssuer ? { "cert-manager.io/cluster-issuer": tls.clusterIssuer } : undefined,
        },
        spec: {
          ingressClassName: args.ingress.className,
          tls: tlsSecretName ? [{ hosts: [args.ingress.host], secretName: tlsSecretName }] : undefined,
          rules: [
            {
              host: args.ingress.host,
              http: {
                paths: [
                  {
                    path: args.ingress.path,
                    pathType: "Prefix",
                    backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                  },
                ],
              },
            },
          ],
        },
      },
      child,
    );

    this.serviceName = service.metadata.name;
    this.ingressName = ingress.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      migrationJobName: this.migrationJobName,
      deploymentName: this.deploymentName,
      serviceName: this.serviceName,
      ingressName: this.ingressName,
      url: this.url,
    });
  }

  /**
   * The database's URL and where the egress rules find it: a Postgres of the
   * service's own (sized for every pod's pools, open only to `clients`), or
   * the external server of the settings.
   */
  private databaseOf(
    name: string,
    args: ApiServiceArgs,
    clients: Record<string, string>[],
  ): { url: pulumi.Output<string>; endpoint: DatabaseEndpoint; server?: Postgres } {
    const { placement, password } = args.database;
    if (placement.kind === "external") {
      const { host, port, name: databaseName, user, sslmode, cidrs } = placement;
      return { url: databaseUrl({ user, password, host, port, database: databaseName, sslmode }), endpoint: { kind: "external", port, cidrs } };
    }
    // Every pod a rolling update can run at once (one surge), each with its
    // pool and readiness connection; a canary runs a primary and a candidate.
    const pods = (args.delivery.strategy === "canary" ? 2 : 1) * args.autoscaling.maxReplicas + 1;
    const server = new Postgres(
      `${name}-db`,
      {
        namespace: this.namespace,
        appEnv: args.appEnv,
        password,
        storage: placement.storage,
        storageClassName: placement.storageClassName,
        image: placement.image,
        maxConnections: pods * (args.database.maxConns + appDatabase.readinessConnections) + migrationConnections + spareConnections,
        clients,
      },
      { parent: this },
    );
    return { url: server.url, endpoint: { kind: "inCluster", port: server.port, selector: server.selector }, server };
  }
}
