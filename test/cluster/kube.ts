// A small client for the test cluster's API server: requests and watches over
// HTTPS with the client certificate of the kubeconfig that scripts/cluster/up.sh
// writes, and kubectl for what users run themselves (apply, delete).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { parse } from "yaml";

/** What scripts/cluster/test.sh passes to the checks. */
const kubeconfigPath = process.env.GOAPI_CLUSTER_KUBECONFIG ?? "";
const kubectlPath = process.env.GOAPI_CLUSTER_KUBECTL ?? "";
if (kubeconfigPath === "" || kubectlPath === "") {
  throw new Error("GOAPI_CLUSTER_KUBECONFIG and GOAPI_CLUSTER_KUBECTL are unset: run the cluster checks with npm run test:cluster");
}

interface Kubeconfig {
  "current-context": string;
  contexts: { name: string; context: { cluster: string; user: string } }[];
  clusters: { name: string; cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string } }[];
  users: { name: string; user: { "client-certificate"?: string; "client-key"?: string; "client-certificate-data"?: string; "client-key-data"?: string } }[];
}

function connection() {
  const config = parse(fs.readFileSync(kubeconfigPath, "utf8")) as Kubeconfig;
  const context = config.contexts.find((c) => c.name === config["current-context"])?.context;
  const cluster = config.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users.find((u) => u.name === context?.user)?.user;
  if (!cluster || !user) {
    throw new Error(`${kubeconfigPath}: no cluster or user for context ${config["current-context"]}`);
  }
  const pem = (file?: string, data?: string) => {
    if (data !== undefined) {
      return Buffer.from(data, "base64");
    }
    if (file !== undefined) {
      return fs.readFileSync(path.resolve(path.dirname(kubeconfigPath), file));
    }
    throw new Error(`${kubeconfigPath}: the test client needs certificate authentication`);
  };
  const server = new URL(cluster.server);
  return {
    host: server.hostname,
    port: Number(server.port),
    ca: pem(cluster["certificate-authority"], cluster["certificate-authority-data"]),
    cert: pem(user["client-certificate"], user["client-certificate-data"]),
    key: pem(user["client-key"], user["client-key-data"]),
  };
}

const conn = connection();
// Only loopback: the checks must never reach another cluster by accident.
if (!["127.0.0.1", "::1", "[::1]", "localhost"].includes(conn.host)) {
  throw new Error(`${kubeconfigPath} points at ${conn.host}, not at a loopback address`);
}

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string }[];
}
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [field: string]: unknown;
}
export interface Response {
  status: number;
  body: unknown;
  warnings: string[];
}

/** One request; resolves with any HTTP status, rejects only when the server cannot be reached. */
export function request(method: string, url: string, body?: unknown): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { ...conn, method, path: url, headers: { accept: "application/json", "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const warning = res.headers.warning;
          resolve({
            status: res.statusCode ?? 0,
            body: text === "" ? undefined : (JSON.parse(text) as unknown),
            warnings: warning === undefined ? [] : [warning].flat(),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** GET that must succeed. */
export async function get<T = KObject>(url: string): Promise<T> {
  const res = await request("GET", url);
  if (res.status !== 200) {
    throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body as T;
}

export interface List<T> {
  items: T[];
  metadata: { resourceVersion: string };
}

export function list<T = KObject>(url: string): Promise<List<T>> {
  return get<List<T>>(url);
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export interface Watch {
  stop(): void;
  /** Set when the watch broke; a waiter reports it rather than waiting on. */
  failure(): Error | undefined;
}

/**
 * Lists `url` and then watches it from that list's resourceVersion, calling
 * `onChange` with the full current set after the list and after every event.
 */
export async function watchSet<T extends KObject>(url: string, onChange: (items: Map<string, T>, event?: WatchEvent<T>) => void): Promise<Watch> {
  const initial = await list<T>(url);
  const items = new Map(initial.items.map((o) => [o.metadata.name, o]));
  onChange(items);
  let failure: Error | undefined;
  let stopped = false;
  const separator = url.includes("?") ? "&" : "?";
  const req = https.request({ ...conn, method: "GET", path: `${url}${separator}watch=1&resourceVersion=${initial.metadata.resourceVersion}` }, (res) => {
    let buffered = "";
    res.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() === "") {
          continue;
        }
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type === "ERROR") {
          failure = new Error(`watch ${url}: ${JSON.stringify(event.object)}`);
          continue;
        }
        if (event.type === "DELETED") {
          items.delete(event.object.metadata.name);
        } else if (event.type !== "BOOKMARK") {
          items.set(event.object.metadata.name, event.object);
        }
        onChange(items, event);
      }
    });
    res.on("end", () => {
      failure ??= stopped ? undefined : new Error(`watch ${url}: the server closed it`);
    });
  });
  req.on("error", (e) => {
    failure ??= stopped ? undefined : e;
  });
  req.end();
  return {
    stop: () => {
      stopped = true;
      req.destroy();
    },
    failure: () => failure,
  };
}

/** kubectl against the test cluster; resolves with its exit code and output. */
export function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(kubectlPath, ["--kubeconfig", kubeconfigPath, ...args], { maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) {
      child.stdin?.end(input);
    }
  });
}

const groupPath = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** The REST path of a collection of a namespace, or of the cluster. */
export function collection(apiVersion: string, plural: string, namespace?: string): string {
  const base = groupPath(apiVersion);
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}

const discovered = new Map<string, Promise<{ resources: { name: string; kind: string; namespaced: boolean }[] }>>();

/** The REST path of an object, from the server's discovery of its apiVersion (any kind it serves). */
export async function pathOf(o: KObject): Promise<string> {
  let resources = discovered.get(o.apiVersion);
  if (!resources) {
    resources = get(groupPath(o.apiVersion));
    discovered.set(o.apiVersion, resources);
  }
  const resource = (await resources).resources.find((r) => r.kind === o.kind && !r.name.includes("/"));
  if (!resource) {
    throw new Error(`the API server serves no ${o.kind} in ${o.apiVersion}`);
  }
  return `${collection(o.apiVersion, resource.name, resource.namespaced ? o.metadata.namespace : undefined)}/${o.metadata.name}`;
}
