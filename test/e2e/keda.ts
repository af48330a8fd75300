// KEDA as host processes beside the real nodes (npm run test:delivery): the
// operator, which makes the HPA of a ScaledObject and reads its trigger from
// Prometheus, and the metrics adapter, which serves that HPA's external
// metric from the operator (over gRPC with mutual TLS). The adapter is an
// aggregated API: the plane's API server proxies external.metrics.k8s.io to
// it with the caller's name in headers and its front-proxy client
// certificate (scripts/cluster/up.sh), and the adapter authenticates that
// caller from the extension-apiserver-authentication ConfigMap and asks the
// API server whether it may read the metric: no anonymous access anywhere.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KObject } from "../cluster/kube";
import { deliveryTools, HostProcess, kubeconfig, startHostProcess } from "./delivery";
import { e2e } from "./env";

export const kedaNamespace = "keda";
/** The APIService the adapter serves, as KEDA's manifests name it. */
export const externalMetricsApi = "v1beta1.external.metrics.k8s.io";
const adapterService = "keda-metrics-apiserver";
/** The adapter's API on the bridge (where the API server reaches its endpoint); the operator's gRPC on loopback. */
const adapterPort = 16443;
const operatorGrpc = "127.0.0.1:19666";

/** All of KEDA's CRDs at the pinned version (scripts/delivery/build.sh copies them). */
export function kedaCrdFiles(): string[] {
  const dir = path.join(deliveryTools, "crds", "keda");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => path.join(dir, f));
}

/**
 * A CA and one certificate for both KEDA processes, in `dir` as KEDA's
 * --cert-dir wants them (ca.crt, tls.crt, tls.key): the operator's gRPC
 * server and the adapter's client (mutual TLS), and the adapter's API,
 * which the API server checks against the APIService's caBundle under the
 * Service's name. Returns the CA, PEM.
 */
export function kedaCertificates(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const key = (name: string) => openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name]);
  key("ca.key");
  openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=goapi-e2e-keda-ca", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.crt"]);
  key("tls.key");
  openssl(["req", "-new", "-key", "tls.key", "-subj", "/CN=keda", "-out", "tls.csr"]);
  fs.writeFileSync(
    path.join(dir, "tls.ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      `subjectAltName=DNS:${adapterService}.${kedaNamespace}.svc,DNS:localhost,IP:127.0.0.1,IP:${e2e.nodeAddress}`,
      "",
    ].join("\n"),
  );
  openssl(["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "tls.ext", "-out", "tls.crt"]);
  for (const f of ["tls.csr", "tls.ext", "ca.srl", "ca.key"]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  return fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
}

/**
 * The adapter's registration: its namespace, a Service without selector whose
 * endpoint is the host on the bridge, and the APIService that trusts `ca`.
 */
export const kedaApiObjects = (ca: string): KObject[] => [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: kedaNamespace } },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: adapterService, namespace: kedaNamespace },
    spec: { ports: [{ name: "https", port: 443, targetPort: adapterPort, protocol: "TCP" }] },
  },
  {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${adapterService}-host`, namespace: kedaNamespace, labels: { "kubernetes.io/service-name": adapterService } },
    addressType: "IPv4",
    endpoints: [{ addresses: [e2e.nodeAddress], conditions: { ready: true } }],
    ports: [{ name: "https", port: adapterPort, protocol: "TCP" }],
  },
  {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: externalMetricsApi },
    spec: {
      group: "external.metrics.k8s.io",
      version: "v1beta1",
      service: { name: adapterService, namespace: kedaNamespace, port: 443 },
      caBundle: Buffer.from(ca).toString("base64"),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  },
];

const kedaEnv = () => ({ KUBECONFIG: kubeconfig(), WATCH_NAMESPACE: "", POD_NAMESPACE: kedaNamespace, KEDA_CLUSTER_OBJECT_NAMESPACE: kedaNamespace });

/** The operator; its own ports on loopback, away from Flagger's and the adapter's. */
export function startKedaOperator(certDir: string): HostProcess {
  return startHostProcess(
    "keda-operator",
    [
      `--cert-dir=${certDir}`,
      "--enable-cert-rotation=false",
      "--enable-webhook-patching=false",
      "--enable-apiservice-patching=false",
      "--leader-elect=false",
      "--metrics-bind-address=127.0.0.1:18091",
      "--health-probe-bind-address=127.0.0.1:18092",
      `--metrics-service-bind-address=${operatorGrpc}`,
    ],
    kedaEnv(),
  );
}

/**
 * The adapter: its API on the bridge, delegating authentication and
 * authorization to the plane's API server (the kubeconfigs), the operator
 * over gRPC with the shared certificate.
 */
export function startKedaAdapter(certDir: string): HostProcess {
  const config = kubeconfig();
  return startHostProcess(
    "keda-adapter",
    [
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${path.join(certDir, "tls.crt")}`,
      `--tls-private-key-file=${path.join(certDir, "tls.key")}`,
      `--bind-address=${e2e.nodeAddress}`,
      `--secure-port=${adapterPort}`,
      `--lister-kubeconfig=${config}`,
      `--authentication-kubeconfig=${config}`,
      `--authorization-kubeconfig=${config}`,
      `--metrics-service-address=${operatorGrpc}`,
      // Its own /metrics (KEDA's default 8080 is Flagger's neighbour's).
      "--port=18093",
    ],
    kedaEnv(),
  );
}
