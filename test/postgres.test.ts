import * as pulumi from "@pulumi/pulumi";
import { digestRef } from "../components/names";
import { Postgres, PostgresArgs } from "../components/postgres";
import { kubeScoreFindings } from "./helpers/kube-score";
import { Declared, installMocks, settle } from "./helpers/mocks";
import { k8s, nameOf, schemaProblems } from "./helpers/manifests";
import { containsSecret, exposes, isSecretValue, raw, valueOf } from "./helpers/values";

const password = "db:pass@word/1";
const api = { "app.kubernetes.io/name": "goapi", "app.kubernetes.io/instance": "goapi-test" };
const migration = { "app.kubernetes.io/name": "goapi", "app.kubernetes.io/instance": "goapi-migrate-test" };

const baseArgs: PostgresArgs = {
  namespace: "goapi",
  appEnv: "test",
  password: pulumi.secret(password),
  storage: "1Gi",
  maxConnections: 30,
  clients: [api, migration],
};

async function declare(change: Partial<PostgresArgs> = {}): Promise<{ declared: Declared[]; db: Postgres }> {
  const declared = await installMocks("test");
  const db = new Postgres("goapi-db", { ...baseArgs, ...change });
  await settle();
  return { declared, db };
}

describe("Postgres", () => {
  let d: Declared[];
  let db: Postgres;
  beforeAll(async () => {
    ({ declared: d, db } = await declare());
  });
  const sts = () => k8s.statefulSet(d);
  const pod = () => sts().spec?.template.spec;
  const container = () => pod()?.containers[0];

  it("declares only objects that pass the Kubernetes OpenAPI schema and kube-score", () => {
    expect(schemaProblems(d)).toEqual([]);
    expect(kubeScoreFindings(d)).toEqual([]);
  });

  it("keeps its data on a volume claimed per pod, named after a StatefulSet whose name never changes", () => {
    expect(sts().metadata?.name).toBe("goapi-db");
    expect(sts().spec?.replicas).toBe(1);
    const claims = sts().spec?.volumeClaimTemplates;
    expect(claims?.map((c) => c.metadata?.name)).toEqual(["data"]);
    expect(claims?.[0]?.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
    expect(sts().spec?.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(container()?.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/postgresql/data" });
    // initdb wants a directory it creates itself, below the volume's root.
    expect(container()?.env).toContainEqual({ name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" });
  });

  it("asks for the StorageClass given, or leaves the choice to the cluster's default", async () => {
    const { declared } = await declare({ storageClassName: "fast-ssd" });
    expect(k8s.statefulSet(declared).spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("fast-ssd");
    expect(sts().spec?.volumeClaimTemplates?.[0]?.spec).not.toHaveProperty("storageClassName");
  });

  it("is the governed pod of a headless Service that selects it", () => {
    const svc = k8s.service(d, "goapi-db");
    expect(svc.spec?.clusterIP).toBe("None");
    expect(sts().spec?.serviceName).toBe(svc.metadata?.name);
    expect(svc.spec?.selector).toEqual(sts().spec?.selector.matchLabels);
    expect(sts().spec?.template.metadata?.labels).toMatchObject(sts().spec?.selector.matchLabels ?? {});
    expect(svc.spec?.ports).toEqual([{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }]);
  });

  it("runs the image it is given instead, for a cluster that cannot pull the official one", async () => {
    const image = `registry.internal:5000/postgres@sha256:${"a".repeat(64)}`;
    const { declared } = await declare({ image });
    expect(k8s.statefulSet(declared).spec?.template.spec?.containers[0]?.image).toBe(image);
  });

  it("runs the official image pinned by digest", () => {
    expect(container()?.image).toMatch(/^docker\.io\/library\/postgres:15\.\d+-bookworm@sha256:[0-9a-f]{64}$/);
    expect(container()?.image).toMatch(digestRef);
    expect(container()?.imagePullPolicy).toBe("IfNotPresent");
  });

  it("runs restricted: a fixed non-root user above 10000, no escalation, no capabilities, RuntimeDefault seccomp, read-only root", () => {
    expect(pod()?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
    expect(container()?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod()?.automountServiceAccountToken).toBe(false);
  });

  it("writes outside its volume only to size-limited emptyDirs for the socket and temporary files", () => {
    expect(container()?.volumeMounts).toEqual([
      { name: "data", mountPath: "/var/lib/postgresql/data" },
      { name: "run", mountPath: "/var/run/postgresql" },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod()?.volumes?.map((v) => [v.name, v.emptyDir?.sizeLimit])).toEqual([
      ["run", "16Mi"],
      ["tmp", "128Mi"],
    ]);
  });

  it("sets requests and limits, ephemeral storage included", () => {
    const r = container()?.resources;
    for (const bound of [r?.requests, r?.limits]) {
      expect(Object.keys(bound ?? {}).sort()).toEqual(["cpu", "ephemeral-storage", "memory"]);
    }
  });

  it("is ready when it accepts connections on TCP, and live while its port answers", () => {
    const isReady = ["pg_isready", "--host=127.0.0.1", "--port=5432", "--timeout=2", "--quiet"];
    expect(container()?.startupProbe?.exec?.command).toEqual(isReady);
    expect(container()?.readinessProbe?.exec?.command).toEqual(isReady);
    expect(container()?.livenessProbe?.tcpSocket?.port).toBe("postgres");
    // The startup probe covers initdb on a slow disk: three minutes.
    const s = container()?.startupProbe;
    expect((s?.periodSeconds ?? 0) * (s?.failureThreshold ?? 0)).toBe(180);
  });

  it("stops with a fast shutdown well within its grace period", () => {
    expect(container()?.lifecycle?.preStop?.exec?.command).toEqual(["pg_ctl", "stop", "--mode=fast", "--wait", "--timeout=20"]);
    expect(pod()?.terminationGracePeriodSeconds).toBeGreaterThan(20);
  });

  it("allows as many connections as it is told", () => {
    expect(container()?.args).toEqual(["postgres", "-c", "max_connections=30"]);
  });

  it("keeps the password in an auto-named, immutable Secret, secret in the state too", () => {
    const secret = nameOf(d, "kubernetes:core/v1:Secret", "goapi-db");
    expect(secret).toMatch(/^goapi-db-[0-9a-f]{8}$/);
    expect(k8s.secret(d, "goapi-db")).toMatchObject({ immutable: true, stringData: { POSTGRES_PASSWORD: password } });
    expect(isSecretValue(raw(d, "kubernetes:core/v1:Secret", "goapi-db").stringData)).toBe(true);
    expect(container()?.env).toContainEqual({ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: secret, key: "POSTGRES_PASSWORD" } } });
    expect(containsSecret(raw(d, "kubernetes:apps/v1:StatefulSet"))).toBe(false);
    for (const x of d) {
      expect({ resource: `${x.type} ${x.name}`, exposed: exposes(x.inputs, password) }).toEqual({ resource: `${x.type} ${x.name}`, exposed: false });
    }
  });

  it("hands out DATABASE_URL as a secret, with the password percent-encoded", async () => {
    expect(await pulumi.isSecret(db.url)).toBe(true);
    const url = await valueOf(db.url);
    expect(url).toBe(`postgres://goapi:${encodeURIComponent(password)}@goapi-db.goapi.svc:5432/goapi?sslmode=disable`);
    expect(decodeURIComponent(new URL(url).password)).toBe(password);
  });

  it("lets only its clients in, on its port, and nothing out", () => {
    const np = k8s.networkPolicy(d, "goapi-db");
    expect(np.spec?.podSelector.matchLabels).toEqual(sts().spec?.selector.matchLabels);
    expect(np.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec?.ingress).toEqual([{ from: [{ podSelector: { matchLabels: api } }, { podSelector: { matchLabels: migration } }], ports: [{ port: "postgres", protocol: "TCP" }] }]);
    expect(np.spec?.egress).toEqual([]);
  });

  it("carries the recommended labels, with a selector no client's selector shares", () => {
    expect(sts().metadata?.labels).toEqual({
      "app.kubernetes.io/name": "postgresql",
      "app.kubernetes.io/instance": "goapi-db-test",
      "app.kubernetes.io/component": "database",
      "app.kubernetes.io/part-of": "goapi",
      "app.kubernetes.io/managed-by": "pulumi",
    });
    for (const client of [api, migration]) {
      expect(sts().spec?.selector.matchLabels).not.toEqual(client);
    }
  });
});
