// Postgres: one PostgreSQL pod of the stack's own, for stacks without a
// database of their own (local on kind): a StatefulSet with a volume, a
// headless Service, the superuser password in a Secret, and a NetworkPolicy
// that lets only the given client pods in. Single instance, no backups, no
// failover: production stacks use an external database (settings.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { databaseUrl, postgresPort } from "./database";
import { labelsFor } from "./labels";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./pod";

/**
 * The official image, pinned by digest: the multi-platform index of
 * postgres:15.19-bookworm (the major version app/ is tested against), as
 * docker-library/repo-info lists it.
 */
export const defaultPostgresImage = "docker.io/library/postgres:15.19-bookworm@sha256:539ceaaae49b3a7c8a04467cf00cc6788d8e3f1675df41860d86eebc4c40524f";

/**
 * Not the image's postgres user (999): a user ID of its own, above the range
 * node accounts use. The image's entrypoint runs initdb as any user (through
 * nss_wrapper).
 */
const postgresUid = 10001;

/** The role and database the app uses; the role owns the database. */
const postgresUser = "goapi";
const postgresDatabase = "goapi";

const dataDir = "/var/lib/postgresql/data";
const passwordKey = "POSTGRES_PASSWORD";

export interface PostgresArgs {
  namespace: pulumi.Input<string>;
  /** The stack name, for the labels. */
  appEnv: string;
  /** The superuser's password; kept secret end to end. */
  password: pulumi.Input<string>;
  /** Size of the data volume when it is first created (a Kubernetes quantity). */
  storage: string;
  /** StorageClass of the data volume; the cluster's default when unset. */
  storageClassName?: string;
  /**
   * The image, pinned by digest (defaultPostgresImage when unset). Another
   * image must keep the official image's contract: an entrypoint that runs
   * initdb on an empty PGDATA with POSTGRES_USER, POSTGRES_PASSWORD and
   * POSTGRES_DB, then its arguments (`postgres -c ...`); pg_isready and
   * pg_ctl on PATH; initdb and the server running as user 10001.
   */
  image?: string;
  /** max_connections: room for every client pod's pool (ApiService computes it). */
  maxConnections: number;
  /** Label selectors of the pods that may connect; no other pod can. */
  clients: Record<string, string>[];
}

export class Postgres extends pulumi.ComponentResource {
  /** DATABASE_URL for the clients, as a secret. */
  public readonly url: pulumi.Output<string>;
  /** Selects the database pod (for the clients' egress rules). */
  public readonly selector: Record<string, string>;
  public readonly port = postgresPort;
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:Postgres", name, {}, opts);
    const child = { parent: this };
    const labels = labelsFor({ instance: name, app: "postgresql", stack: args.appEnv, component: "database" });
    this.selector = labels.selector;
    // Fixed names: the data volume is named after the StatefulSet
    // (data-<name>-0), so a replaced StatefulSet must keep its name to find
    // its data again; the provider then deletes the old one first.
    const meta = { name, namespace: args.namespace, labels: labels.all };

    // Auto-named and immutable like the API's Secret; the password is set once, at initdb.
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: { namespace: args.namespace, labels: labels.all },
        immutable: true,
        type: "Opaque",
        stringData: pulumi.output(args.password).apply((password) => ({ [passwordKey]: password })),
      },
      child,
    );

    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: meta,
        spec: {
          // Headless: the StatefulSet's governing Service; its name resolves to the pod.
          clusterIP: "None",
          selector: labels.selector,
          ports: [{ name: "postgres", port: postgresPort, targetPort: "postgres", protocol: "TCP" }],
        },
      },
      child,
    );

    const pgIsReady = { exec: { command: ["pg_isready", "--host=127.0.0.1", `--port=${postgresPort}`, "--timeout=2", "--quiet"] } };
    const statefulSet = new k8s.apps.v1.StatefulSet(
      name,
      {
        metadata: {
          ...meta,
          // The image is pinned by digest, so IfNotPresent always runs the intended image.
          annotations: { "kube-score/ignore": "container-image-pull-policy" },
        },
        spec: {
          serviceName: service.metadata.name,
          replicas: 1,
          selector: { matchLabels: labels.selector },
          // The volume outlives the StatefulSet (a destroy or a replacement); delete it by hand to start empty.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels: labels.all },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 30,
              securityContext: restrictedPodSecurity(postgresUid),
              containers: [
                {
                  name: "postgres",
                  image: args.image ?? defaultPostgresImage,
                  imagePullPolicy: "IfNotPresent",
                  args: ["postgres", "-c", `max_connections=${args.maxConnections}`],
                  ports: [{ name: "postgres", containerPort: postgresPort, protocol: "TCP" }],
                  env: [
                    { name: "POSTGRES_USER", value: postgresUser },
                    { name: "POSTGRES_DB", value: postgresDatabase },
                    { name: passwordKey, valueFrom: { secretKeyRef: { name: secret.metadata.name, key: passwordKey } } },
                    // A directory below the mount: initdb wants one it creates and owns (mode 0700).
                    { name: "PGDATA", value: `${dataDir}/pgdata` },
                  ],
                  volumeMounts: [
                    { name: "data", mountPath: dataDir },
                    // The only other places it writes: the socket and lock files, and temporary files.
                    { name: "run", mountPath: "/var/run/postgresql" },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                  resources: {
                    requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "16Mi" },
                    limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "256Mi" },
                  },
                  // initdb on the first start can take a while on a slow disk.
                  startupProbe: { ...pgIsReady, periodSeconds: 2, failureThreshold: 90, timeoutSeconds: 3 },
                  readinessProbe: { ...pgIsReady, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 },
                  livenessProbe: { tcpSocket: { port: "postgres" }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 3 },
                  // Kubernetes stops with SIGTERM, PostgreSQL's "smart" shutdown, which waits
                  // for the clients' pools to disconnect and so for the kill: a fast shutdown
                  // (the image's STOPSIGNAL, SIGINT) ends it cleanly, with no recovery at the next start.
                  lifecycle: { preStop: { exec: { command: ["pg_ctl", "stop", "--mode=fast", "--wait", "--timeout=20"] } } },
                  securityContext: restrictedContainerSecurity(postgresUid),
                },
              ],
              volumes: [
                { name: "run", emptyDir: { sizeLimit: "16Mi" } },
                { name: "tmp", emptyDir: { sizeLimit: "128Mi" } },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data", labels: labels.all },
              spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: args.storageClassName,
                resources: { requests: { storage: args.storage } },
              },
            },
          ],
        },
      },
      child,
    );

    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: meta,
        spec: {
          podSelector: { matchLabels: labels.selector },
          policyTypes: ["Ingress", "Egress"],
          ingress: [
            {
              from: args.clients.map((matchLabels) => ({ podSelector: { matchLabels } })),
              ports: [{ port: "postgres", protocol: "TCP" }],
            },
          ],
          // PostgreSQL calls nothing.
          egress: [],
        },
      },
      child,
    );

    this.serviceName = service.metadata.name;
    // In-cluster traffic that the NetworkPolicy confines to the clients; the
    // server has no certificate to offer.
    const host = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc`;
    this.url = databaseUrl({ user: postgresUser, password: args.password, host, port: postgresPort, database: postgresDatabase, sslmode: "disable" });
    this.registerOutputs({ url: this.url, serviceName: this.serviceName, statefulSetName: statefulSet.metadata.name });
  }
}
