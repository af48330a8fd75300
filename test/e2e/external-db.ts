// The stand-in for the external database of the dev and prod stacks: the
// PostgreSQL image of these nodes in a namespace of its own, with TLS (a
// self-signed certificate: the stacks' sslmode require encrypts but checks no
// chain) and the password the stack is given.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { restrictedContainerSecurity } from "../../components/pod";
import { collection, get, type KObject } from "../cluster/kube";
import { eventually } from "../cluster/poll";
import { e2e } from "./env";
import { externalDatabaseNamespace, externalDatabasePassword } from "./stack";

const uid = 10001;

export function externalDatabase(stack: string): KObject[] {
  const namespace = externalDatabaseNamespace(stack);
  const dir = fs.mkdtempSync(path.join(e2e.state, "tmp", `db-${stack}-`));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
    "-subj", `/CN=postgres.${namespace}.svc.cluster.local`, "-keyout", path.join(dir, "tls.key"), "-out", path.join(dir, "tls.crt"),
  ], { stdio: "ignore" });
  const read = (f: string) => fs.readFileSync(path.join(dir, f)).toString("base64");
  const labels = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": `e2e-${stack}` };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "postgres", namespace },
      type: "Opaque",
      data: { "tls.crt": read("tls.crt"), "tls.key": read("tls.key"), password: Buffer.from(externalDatabasePassword(stack)).toString("base64") },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "postgres", namespace },
      spec: { selector: labels, ports: [{ name: "postgres", port: 5432, targetPort: 5432 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "postgres", namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "postgres",
                image: e2e.images.postgres,
                args: ["postgres", "-c", "ssl=on", "-c", "ssl_cert_file=/tls/tls.crt", "-c", "ssl_key_file=/tls/tls.key"],
                env: [
                  { name: "POSTGRES_USER", value: "goapi" },
                  { name: "POSTGRES_DB", value: "goapi" },
                  { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres", key: "password" } } },
                  { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ],
                ports: [{ containerPort: 5432 }],
                readinessProbe: { exec: { command: ["pg_isready", "--host=127.0.0.1", "--quiet"] }, periodSeconds: 2 },
                securityContext: restrictedContainerSecurity(uid),
                volumeMounts: [
                  { name: "data", mountPath: "/var/lib/postgresql/data" },
                  { name: "run", mountPath: "/var/run/postgresql" },
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "tls", mountPath: "/tls", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "data", emptyDir: {} },
              { name: "run", emptyDir: {} },
              { name: "tmp", emptyDir: {} },
              // PostgreSQL takes a key owned by root only when no one but its group can read it.
              { name: "tls", secret: { secretName: "postgres", defaultMode: 0o440, items: [{ key: "tls.crt", path: "tls.crt" }, { key: "tls.key", path: "tls.key" }] } },
            ],
          },
        },
      },
    },
  ];
}

/** Waits until the stand-in database of `stack` (externalDatabase above) serves. */
export async function externalDatabaseReady(stack: string): Promise<void> {
  await eventually("the external database ready", 180, async () => {
    const d = await get<KObject & { status?: { readyReplicas?: number } }>(`${collection("apps/v1", "deployments", externalDatabaseNamespace(stack))}/postgres`);
    return { done: (d.status?.readyReplicas ?? 0) >= 1, seen: d.status };
  });
}
