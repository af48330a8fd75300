// A stack's objects on real nodes, declared by index.ts under the unit tests'
// mocks (as test/cluster does) with what a user of this cluster sets: the
// images of its registry, its database, a namespace per stack.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { cliConfig, stackFilePath } from "../../scripts/stack-config";
import type { StackRun } from "../helpers/stack";
import { runAsSetUp } from "../helpers/user-setup";
import { KObject, kubectl } from "../cluster/kube";
import { Applied, objectsOf } from "../cluster/objects";
import { e2e } from "./env";

/** What a check changes between two `pulumi up`s. */
export interface Change {
  logLevel?: string;
  /** Which of the stack's tokens (0, 1, ...). */
  token?: number;
  image?: string;
}

/** Settings a check sets on top of the stack file's (delivery.cluster.ts's way): objects merged key by key. */
export interface Overrides {
  /** The namespace, when not the stack's usual one (a second copy of a stack beside it). */
  namespace?: string;
  /** Keep the stack's delivery strategy (a canary needs Flagger running on the nodes). */
  keepStrategy?: boolean;
  /** A null leaves the key out (back to the program's default). */
  set?: Record<string, unknown>;
}

export const namespaceOf = (stack: string): string => `goapi-${stack}`;
export const tokenOf = (stack: string, n: number): string => `e2e-${stack}-token-${n}-0123456789abcdef`;
/** The stand-in for an external database server (externalDatabase below). */
export const externalDatabaseNamespace = (stack: string): string => `goapi-e2e-db-${stack}`;
export const externalDatabasePassword = (stack: string): string => `e2e-${stack}-database-password`;

type Json = Record<string, unknown>;

/** Runs index.ts for `stack` with this cluster's settings and `change`. */
export function runOnNodes(stack: string, change: Change = {}, overrides: Overrides = {}): Promise<StackRun> {
  const { config } = cliConfig(stackFilePath(stack));
  const json = (key: string): Json => {
    const v = config[`goapi:${key}`];
    return v === undefined ? {} : (JSON.parse(v) as Json);
  };
  const database = json("database") as { inCluster?: Json; external?: Json };
  const set: Json = {
    namespace: overrides.namespace ?? namespaceOf(stack),
    image: { ...json("image"), ref: change.image ?? e2e.images.app },
    // No Flagger runs on these nodes: a canary stack's Services and route
    // would be Flagger's to make. The checks roll each stack out as a
    // rolling one; the canary's own objects are test:cluster's
    // (delivery.cluster.ts) and docs/delivery.md's.
    delivery: overrides.keepStrategy === true ? json("delivery") : { ...json("delivery"), strategy: "rolling" },
  };
  const secrets: Record<string, string> = { apiToken: tokenOf(stack, change.token ?? 0) };
  if (database.inCluster) {
    set.database = { ...database, inCluster: { ...database.inCluster, image: e2e.images.postgres } };
  } else if (database.external) {
    // The stack file's server is a placeholder: here it is a PostgreSQL pod with
    // a self-signed certificate, so the strictest mode it can meet is require.
    const external: Json = { ...database.external, host: `postgres.${externalDatabaseNamespace(stack)}.svc.cluster.local` };
    if (external.sslmode === "verify-full" || external.sslmode === "verify-ca") {
      external.sslmode = "require";
    }
    if (Array.isArray(external.cidrs) && external.cidrs.length > 0) {
      external.cidrs = [e2e.podCidr];
    }
    set.database = { ...database, external };
    secrets.databasePassword = externalDatabasePassword(stack);
  }
  if (change.logLevel !== undefined) {
    set.app = { ...json("app"), logLevel: change.logLevel };
  }
  for (const [key, value] of Object.entries(overrides.set ?? {})) {
    const base = (set[key] ?? json(key)) as Json;
    set[key] = typeof value === "object" && value !== null && !Array.isArray(value) ? deepMerge(base, value as Json) : value;
  }
  return runAsSetUp(stack, { set, secrets });
}

/** b's keys over a's, objects merged key by key; a null in b leaves the key out. */
function deepMerge(a: Json, b: Json): Json {
  const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => b[k] !== null);
  return Object.fromEntries(
    keys.map((k) => {
      const prev = a[k];
      const v = k in b ? b[k] : prev;
      return [k, isObject(v) && isObject(prev) ? deepMerge(prev, v) : v];
    }),
  );
}

export { objectsOf };

/** Server-side apply with strict field validation, as test/cluster applies; returns what the server accepted. */
export async function apply(objects: KObject[], file: string): Promise<KObject[]> {
  if (objects.length === 0) {
    return [];
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"), { mode: 0o600 });
  const res = await kubectl(["apply", "--server-side", "--field-manager=goapi-e2e", "--validate=strict", "--output=json", "--filename", file]);
  if (res.code !== 0) {
    throw new Error(`kubectl apply refused ${file}:\n${res.stderr}`);
  }
  const out = JSON.parse(res.stdout) as KObject;
  return out.kind === "List" ? (out.items as KObject[]) : [out];
}

/** Deletes objects and waits for them to go. */
export async function remove(objects: KObject[]): Promise<void> {
  if (objects.length === 0) {
    return;
  }
  const res = await kubectl(["delete", "--wait=true", "--ignore-not-found", "--filename=-"], objects.map((o) => stringify(o)).join("---\n"));
  if (res.code !== 0) {
    throw new Error(`kubectl delete: ${res.stderr}`);
  }
}

/** The objects of one kind. */
export const ofKind = (objects: Applied[], kind: string): KObject[] => objects.filter((a) => a.object.kind === kind).map((a) => a.object);

/**
 * A PersistentVolume for each claim a StatefulSet will make, bound to that
 * claim in advance as a provisioner would: a directory on this machine, owned
 * by the database's user (a hostPath volume gets no fsGroup).
 */
export function volumesFor(objects: Applied[], uid: number): KObject[] {
  interface Claim {
    metadata: { name: string };
    spec: { accessModes?: string[]; resources: { requests: { storage: string } } };
  }
  return ofKind(objects, "StatefulSet").flatMap((sts) => {
    const spec = sts.spec as { replicas?: number; volumeClaimTemplates?: Claim[] };
    const namespace = sts.metadata.namespace ?? "default";
    return Array.from({ length: spec.replicas ?? 1 }, (_, i) => i).flatMap((ordinal) =>
      (spec.volumeClaimTemplates ?? []).map((t): KObject => {
        const claim = `${t.metadata.name}-${sts.metadata.name}-${ordinal}`;
        const dir = path.join(e2e.state, "volumes", namespace, claim);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.chownSync(dir, uid, uid);
        return {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: `${namespace}-${claim}`, labels: { "app.kubernetes.io/managed-by": "goapi-e2e" } },
          spec: {
            capacity: { storage: t.spec.resources.requests.storage },
            accessModes: t.spec.accessModes,
            storageClassName: "",
            persistentVolumeReclaimPolicy: "Retain",
            claimRef: { namespace, name: claim },
            hostPath: { path: dir, type: "Directory" },
          },
        };
      }),
    );
  });
}
