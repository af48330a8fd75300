// The delivery controllers as host processes beside the real nodes (the host
// is on the nodes' bridge, so it reaches the pods): Traefik as the Gateway API
// implementation, Prometheus configured as the Prometheus Operator would be
// from the stack's ServiceMonitor, Flagger, and KEDA's operator. Built by
// scripts/delivery/build.sh from the Go module proxy; every process is
// recorded in the run's pids folder, so scripts/e2e/down.sh stops it even when
// the checks die.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { stringify } from "yaml";
import { type KObject, kubectl } from "../cluster/kube";
import { e2e } from "./env";

const repoRoot = path.join(__dirname, "..", "..");
export const deliveryTools = process.env.GOAPI_DELIVERY_TOOLS ?? path.join(repoRoot, ".tools", "delivery");
const bin = (name: string) => path.join(deliveryTools, "bin", name);

/** Where the host processes listen: the bridge's address (pods and the host reach it). */
export const gatewayPort = 8000;
export const prometheusPort = 9090;
export const gatewayUrl = `http://${e2e.nodeAddress}:${gatewayPort}`;
export const prometheusUrl = `http://${e2e.nodeAddress}:${prometheusPort}`;
/** The Gateway the canary stack's routes attach to (delivery.canary.gateway). */
export const gateway = { name: "traefik-gateway", namespace: "traefik", listener: "web" };

/** Fails with the remedy when a binary or the CRDs build.sh copies are missing: never a silent pass. */
export function requireTools(names: string[], crds = ["gateway-api"]): void {
  const missing = [...names.map(bin), ...crds.map((c) => path.join(deliveryTools, "crds", c))].filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    throw new Error(`missing: ${missing.join(", ")}: build them with scripts/delivery/build.sh (npm run test:delivery runs it first)`);
  }
}

/** The Gateway API's standard CRDs at the version Traefik implements (build.sh copies them). */
export function gatewayApiCrdFiles(): string[] {
  const dir = path.join(deliveryTools, "crds", "gateway-api");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") && f.startsWith("gateway.networking.k8s.io_") && !f.includes("_vap_")).map((f) => path.join(dir, f));
}

/** The GatewayClass and Gateway a platform team would run Traefik with: one plain-HTTP listener on the bridge. */
export const gatewayObjects = (): KObject[] => [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: gateway.namespace } },
  { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "traefik" }, spec: { controllerName: "traefik.io/gateway-controller" } },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: gateway.name, namespace: gateway.namespace },
    spec: {
      gatewayClassName: "traefik",
      // Traefik serves a listener on the entry point of the same port.
      listeners: [{ name: gateway.listener, port: gatewayPort, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }],
    },
  },
];

interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  namespaceSelector: { matchNames: string[] };
  endpoints: { port: string; path?: string; interval?: string; relabelings?: { action?: string; replacement?: string; targetLabel?: string }[] }[];
}

/**
 * The scrape configuration the Prometheus Operator generates for a
 * ServiceMonitor (one job per endpoint; the target's namespace, service and
 * pod as labels, which the MetricTemplates and the ScaledObject query).
 */
export function scrapeConfigOf(monitor: KObject, kubeconfig: string): Record<string, unknown> {
  const spec = monitor.spec as ServiceMonitorSpec;
  const escape = (label: string) => label.replace(/[^a-zA-Z0-9_]/g, "_");
  return {
    global: { scrape_interval: "15s", evaluation_interval: "15s" },
    scrape_configs: spec.endpoints.map((ep, i) => ({
      job_name: `serviceMonitor/${monitor.metadata.namespace ?? ""}/${monitor.metadata.name}/${i}`,
      scrape_interval: ep.interval ?? "15s",
      metrics_path: ep.path ?? "/metrics",
      kubernetes_sd_configs: [{ role: "endpointslice", kubeconfig_file: kubeconfig, namespaces: { names: spec.namespaceSelector.matchNames } }],
      relabel_configs: [
        ...Object.entries(spec.selector.matchLabels).map(([k, v]) => ({ source_labels: [`__meta_kubernetes_service_label_${escape(k)}`], regex: v, action: "keep" })),
        { source_labels: ["__meta_kubernetes_endpointslice_port_name"], regex: ep.port, action: "keep" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { target_label: "endpoint", replacement: ep.port },
        ...(ep.relabelings ?? []).filter((r) => (r.action ?? "replace") === "replace" && r.targetLabel !== undefined).map((r) => ({ target_label: r.targetLabel, replacement: r.replacement })),
      ],
    })),
  };
}

export interface HostProcess {
  name: string;
  log: string;
  child: ChildProcess;
  exited: () => boolean;
}

/** Starts a host process with its output in the run's logs and its pid where down.sh finds it. */
export function startHostProcess(name: string, args: string[], env: Record<string, string> = {}, binary = name): HostProcess {
  const log = path.join(e2e.state, "logs", `delivery-${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(bin(binary), args, { stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
  fs.closeSync(fd);
  let gone = false;
  child.on("exit", () => (gone = true));
  if (child.pid !== undefined) {
    fs.writeFileSync(path.join(e2e.state, "pids", `delivery-${name}.pid`), `${child.pid}\n`);
  }
  return { name, log, child, exited: () => gone };
}

/** Throws, naming each process that exited and its log, so that a wait on a controller fails at once when it died. */
export function assertRunning(processes: HostProcess[]): void {
  const gone = processes.filter((p) => p.exited()).map((p) => `${p.name} exited (log: ${p.log})`);
  if (gone.length > 0) {
    throw new Error(gone.join("; "));
  }
}

/** Applies CRD files server-side under the checks' field manager, and waits until every CRD is established. */
export async function applyCrds(files: string[]): Promise<void> {
  for (const file of files) {
    const res = await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=goapi-e2e", "--filename", file]);
    if (res.code !== 0) {
      throw new Error(`kubectl apply ${file}: ${res.stderr}`);
    }
  }
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
}

/** Prints a figure of the check `check` and keeps it with the run's logs (logs/figures.txt). */
export function figureOf(check: string): (line: string) => void {
  return (line) => {
    const text = `e2e figure [${check}] ${line}`;
    fs.appendFileSync(path.join(e2e.state, "logs", "figures.txt"), `${text}\n`);
    process.stdout.write(`${text}\n`);
  };
}

/** The seconds from `from` to `to` (ms clock readings) for a figure, "?" when `to` never came. */
export const secondsBetween = (from: number, to?: number): string => (to === undefined ? "?" : ((to - from) / 1000).toFixed(1));

/** Stops the processes (SIGTERM, then SIGKILL after 10 s). */
export async function stopAll(processes: HostProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (!p.exited()) {
        const gone = new Promise((resolve) => p.child.once("exit", resolve));
        p.child.kill("SIGTERM");
        const killer = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
        await gone;
        clearTimeout(killer);
      }
      fs.rmSync(path.join(e2e.state, "pids", `delivery-${p.name}.pid`), { force: true });
    }),
  );
}

/** The plane's admin kubeconfig, which the host processes use. */
export const kubeconfig = (): string => path.join(e2e.state, "plane", "kubeconfig");

export function startTraefik(work: string): HostProcess {
  const config = path.join(work, "traefik.yaml");
  fs.writeFileSync(
    config,
    stringify({
      entryPoints: { [gateway.listener]: { address: `${e2e.nodeAddress}:${gatewayPort}` } },
      providers: { kubernetesGateway: {} },
      log: { level: "INFO" },
      global: { checkNewVersion: false, sendAnonymousUsage: false },
    }),
  );
  return startHostProcess("traefik", [`--configFile=${config}`], { KUBECONFIG: kubeconfig() });
}

/** Prometheus scraping what `monitor` selects; `port` on the bridge (a second one beside the canary checks' takes another). */
export function startPrometheus(work: string, monitor: KObject, port = prometheusPort, name = "prometheus"): HostProcess {
  const config = path.join(work, `${name}.yml`);
  fs.writeFileSync(config, stringify(scrapeConfigOf(monitor, kubeconfig())));
  return startHostProcess(name, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(work, name)}`, `--web.listen-address=${e2e.nodeAddress}:${port}`], {}, "prometheus");
}

export function startFlagger(): HostProcess {
  // -port: its own metrics and health, on loopback's side of the machine, away from the bridge's ports.
  return startHostProcess("flagger", [`-kubeconfig=${kubeconfig()}`, "-mesh-provider=gatewayapi:v1", `-metrics-server=${prometheusUrl}`, "-enable-leader-election=false", "-port=18080", "-log-level=info"]);
}

/** A PromQL query's scalar value now (NaN when it has none). */
export async function promQuery(query: string, url = prometheusUrl): Promise<number> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
  return Number(body.data?.result?.[0]?.value?.[1] ?? NaN);
}

/**
 * A request to the Gateway with the route's hostname. (fetch cannot: Host is
 * a forbidden header there, dropped without a word, and Traefik answers 404.)
 */
export function throughGateway(method: string, urlPath: string, host: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gatewayUrl}${urlPath}`, { method, headers: { ...headers, host }, timeout: 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => { resolve({ status: res.statusCode ?? 0, body: text }); });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${gatewayUrl}${urlPath}: no answer within 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
