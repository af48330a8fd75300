// Scaling on the request rate with the real KEDA on the real nodes (npm run
// test:delivery; docs/delivery.md): the prod stack as a rolling stack with
// autoscaling.metric requests, KEDA's operator and metrics adapter as host
// processes, Prometheus scraping the pods as the stack's ServiceMonitor asks.
// The HPA controller reads the external metric through the aggregation layer
// under its own name (no anonymous access); under a bounded load the
// Deployment goes from the minimum to the maximum with no failed request, and
// back to the minimum after the HPA's scale-down stabilization. The figures
// (requests, the rate the HPA read, the time to each replica count) are
// printed and kept with the run's logs.
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { parse } from "yaml";
import { collection, get, KObject, list } from "../cluster/kube";
import type { Applied } from "../cluster/objects";
import { eventually } from "../cluster/poll";
import { applyCrds, assertRunning, figureOf, secondsBetween as seconds, HostProcess, kubeconfig, requireTools, startPrometheus, stopAll } from "./delivery";
import { e2e } from "./env";
import { externalDatabase, externalDatabaseReady } from "./external-db";
import { startLoad } from "./host";
import { apply, objectsOf, ofKind, runOnNodes, tokenOf } from "./stack";
import { externalMetricsApi, kedaApiObjects, kedaCertificates, kedaCrdFiles, startKedaAdapter, startKedaOperator } from "./keda";

const stack = "prod";
const namespace = "goapi-keda";
const minReplicas = 2;
const maxReplicas = 4;
const requestsPerSecond = 10;
/** The load: 60 GETs/s is 6 pods' worth at 10/s each, above the maximum. */
const rate = 60;
const loadSeconds = 180;
/** The HPA's default scale-down stabilization is 300 s (the ScaledObject sets no behavior), after the 1 m rate falls. */
const scaleDownSeconds = 480;
/** A second Prometheus beside the canary checks' (delivery.e2e.ts), for this namespace. */
const prometheusPort = 9091;
const prometheusUrl = `http://${e2e.nodeAddress}:${prometheusPort}`;
const settings = {
  // Memory left out: no metrics-server on these nodes, and an HPA with a metric it cannot read does not scale down.
  autoscaling: { metric: "requests", requestsPerSecond, minReplicas, maxReplicas, memoryUtilization: null },
  observability: { prometheusUrl },
};

interface Deployment extends KObject {
  spec: { replicas?: number };
  status?: { readyReplicas?: number; replicas?: number };
}
interface Hpa extends KObject {
  spec: { minReplicas?: number; maxReplicas: number; metrics?: { type: string; external?: { metric: { name: string } } }[] };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: { external?: { current: { averageValue?: string; value?: string } } }[];
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const figure = figureOf("autoscaling");

/** A quantity as the HPA writes it ("11500m", "15", "1k"), as a number. */
function quantity(q: string | undefined): number {
  if (q === undefined) {
    return NaN;
  }
  const m = /^([\d.]+)([mk]?)$/.exec(q);
  if (!m) {
    return NaN;
  }
  const unit = m[2] === "m" ? 1 / 1000 : m[2] === "k" ? 1000 : 1;
  return Number(m[1]) * unit;
}

/** One reading of the scaled workload: replicas asked for and ready, and what the HPA read. */
interface Reading {
  at: number;
  replicas: number;
  ready: number;
  desired: number;
  perPod: number;
}

describe("request-rate autoscaling with KEDA on real pods", () => {
  const work = path.join(e2e.state, "tmp", "autoscaling");
  const processes: HostProcess[] = [];
  let objects: Applied[] = [];
  let itemId = "";
  let clusterIp = "";
  const deploymentPath = () => `${collection("apps/v1", "deployments", namespace)}/goapi`;
  const hpaPath = () => `${collection("autoscaling/v2", "horizontalpodautoscalers", namespace)}/keda-hpa-goapi`;
  const processesAlive = () => {
    assertRunning(processes);
  };
  const read = async (): Promise<Reading> => {
    const d = await get<Deployment>(deploymentPath());
    const h = await get<Hpa>(hpaPath());
    return {
      at: Date.now(),
      replicas: d.spec.replicas ?? 0,
      ready: d.status?.readyReplicas ?? 0,
      desired: h.status?.desiredReplicas ?? 0,
      perPod: quantity(h.status?.currentMetrics?.[0]?.external?.current.averageValue),
    };
  };

  beforeAll(async () => {
    requireTools(["keda-operator", "keda-adapter", "prometheus"], ["keda"]);
    fs.mkdirSync(work, { recursive: true });
    // All of KEDA's CRDs; the plane applied the ScaledObject's already, under kubectl's field manager.
    await applyCrds(kedaCrdFiles());
    const certs = path.join(work, "keda-certs");
    await apply(kedaApiObjects(kedaCertificates(certs)), path.join(work, "keda-api.yaml"));
    await apply(externalDatabase(stack), path.join(work, "database.yaml"));
    objects = objectsOf((await runOnNodes(stack, {}, { namespace, set: settings })).declared);
    const monitor = ofKind(objects, "ServiceMonitor")[0];
    if (monitor === undefined) {
      throw new Error("the stack declares no ServiceMonitor: nothing tells Prometheus what to scrape");
    }
    expect(ofKind(objects, "ScaledObject").map((o) => o.metadata.name)).toEqual(["goapi"]);
    expect(ofKind(objects, "HorizontalPodAutoscaler")).toEqual([]);
    processes.push(startPrometheus(work, monitor, prometheusPort, "prometheus-keda"), startKedaOperator(certs), startKedaAdapter(certs));
    const available = await eventually(`the APIService ${externalMetricsApi} Available (the adapter reached through the aggregation layer)`, 180, async () => {
      processesAlive();
      const a = await get<KObject & { status?: { conditions?: Condition[] } }>(`/apis/apiregistration.k8s.io/v1/apiservices/${externalMetricsApi}`);
      const c = a.status?.conditions?.find((x) => x.type === "Available");
      return { done: c?.status === "True", seen: c };
    });
    figure(`APIService ${externalMetricsApi}: ${JSON.stringify(available)}`);
    await externalDatabaseReady(stack);
    // The first `pulumi up`: everything, the migration Job and the Deployment last.
    const all = objects.map((a) => a.object);
    const later = ["Job", "Deployment"];
    await apply(all.filter((o) => !later.includes(o.kind)), path.join(work, "objects.yaml"));
    await apply(all.filter((o) => later.includes(o.kind)), path.join(work, "rollout.yaml"));
    await eventually(`the Deployment at its minimum, ${minReplicas} pods ready`, 300, async () => {
      processesAlive();
      const d = await get<Deployment>(deploymentPath());
      return { done: d.status?.readyReplicas === minReplicas && d.spec.replicas === minReplicas, seen: d.status };
    });
    const service = ofKind(objects, "Service").find((s) => s.metadata.labels?.["app.kubernetes.io/component"] === "api");
    clusterIp = (await get<KObject & { spec: { clusterIP: string } }>(`${collection("v1", "services", namespace)}/${service?.metadata.name ?? "?"}`)).spec.clusterIP;
    // An item for the load, written through one pod.
    const selector = (ofKind(objects, "Deployment").find((d) => d.metadata.name === "goapi")?.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
    const pods = (await list<KObject & { status?: { podIP?: string } }>(`${collection("v1", "pods", namespace)}?labelSelector=${encodeURIComponent(labels)}`)).items;
    const posted = await fetch(`http://${pods[0]?.status?.podIP ?? "?"}:8080/v1/items`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokenOf(stack, 0)}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "the autoscaling check's item" }),
    });
    expect(posted.status).toBe(201);
    itemId = ((await posted.json()) as { id: string }).id;
  }, 900_000);

  afterAll(async () => {
    await stopAll(processes);
  });

  it("KEDA's HPA reads the request rate through the aggregation layer, and an anonymous caller cannot", async () => {
    const hpa = await eventually("the HPA keda-hpa-goapi reading its external metric (ScalingActive)", 180, async () => {
      processesAlive();
      const res = await get<Hpa>(hpaPath()).catch((): Hpa | undefined => undefined);
      const active = res?.status?.conditions?.find((c) => c.type === "ScalingActive");
      return { done: active?.status === "True", seen: { active, metrics: res?.status?.currentMetrics } };
    });
    figure(`HPA keda-hpa-goapi before the load: ${JSON.stringify(hpa)}`);
    const h = await get<Hpa>(hpaPath());
    expect({ min: h.spec.minReplicas, max: h.spec.maxReplicas, metric: h.spec.metrics?.[0]?.type }).toEqual({ min: minReplicas, max: maxReplicas, metric: "External" });
    const metric = h.spec.metrics?.[0]?.external?.metric.name ?? "";
    // The same read without a client certificate: the API server refuses system:anonymous.
    const anonymous = await anonymousGet(`/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${metric}`);
    figure(`GET external.metrics.k8s.io ${metric} as system:anonymous: HTTP ${anonymous.status}`);
    expect(anonymous.status).toBe(403);
  });

  let loadEnded = 0;
  let readings: Reading[] = [];

  it(`scales from ${minReplicas} to ${maxReplicas} replicas under ${rate} GETs/s, with no failed request`, async () => {
    const began = Date.now();
    const before = await read();
    expect({ replicas: before.replicas, ready: before.ready }).toEqual({ replicas: minReplicas, ready: minReplicas });
    const load = startLoad(e2e.loadgen, `http://${clusterIp}`, itemId, rate, loadSeconds);
    readings = [before];
    try {
      // The whole bounded load, read every second.
      while (Date.now() - began < loadSeconds * 1000) {
        processesAlive();
        readings.push(await read());
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      const result = await load.stop();
      loadEnded = Date.now();
      figure(`${result.requests} requests to the Service at ${rate}/s in ${result.seconds}s, ${result.failed} failed (${result.summary})`);
      for (const f of result.failures) {
        figure(`  ${f}`);
      }
      for (const line of milestones(readings, began)) {
        figure(`up: ${line}`);
      }
      expect({ failed: result.failed, failures: result.failures }).toEqual({ failed: 0, failures: [] });
    }
    const most = Math.max(...readings.map((r) => r.ready));
    expect(Math.max(...readings.map((r) => r.replicas))).toBe(maxReplicas);
    expect(most).toBe(maxReplicas);
  });

  it(`scales back to ${minReplicas} replicas after the load, within ${scaleDownSeconds}s`, async () => {
    if (loadEnded === 0) {
      throw new Error("not checked: the load never ran (see the check before)");
    }
    const after: Reading[] = [];
    try {
      await eventually(`back to ${minReplicas} replicas`, scaleDownSeconds, async () => {
        processesAlive();
        const r = await read();
        after.push(r);
        return { done: r.replicas === minReplicas && r.ready === minReplicas, seen: { replicas: r.replicas, ready: r.ready, desired: r.desired, perPod: r.perPod } };
      });
    } finally {
      for (const line of milestones(after, loadEnded)) {
        figure(`down (from the load's end): ${line}`);
      }
    }
    const end = after.at(-1);
    figure(`back to ${minReplicas} replicas ${seconds(loadEnded, end?.at)}s after the load ended`);
    expect(end?.replicas).toBe(minReplicas);
  });
});

/** Each change of the replicas asked for or ready, with the rate per pod the HPA read then. */
function milestones(readings: Reading[], from: number): string[] {
  const lines: string[] = [];
  let last: Reading | undefined;
  for (const r of readings) {
    if (last === undefined || last.replicas !== r.replicas || last.ready !== r.ready) {
      lines.push(`+${seconds(from, r.at)}s replicas ${r.replicas}, ready ${r.ready} (HPA desired ${r.desired}, ${Number.isNaN(r.perPod) ? "no reading" : `${r.perPod.toFixed(2)}/s per pod`})`);
    }
    last = r;
  }
  return lines;
}

/** A GET to the plane's API server with no client certificate (its CA trusted). */
function anonymousGet(urlPath: string): Promise<{ status: number }> {
  const file = kubeconfig();
  const config = parse(fs.readFileSync(file, "utf8")) as { clusters: { cluster: { server: string; "certificate-authority": string } }[] };
  const cluster = config.clusters[0]?.cluster;
  if (cluster === undefined) {
    throw new Error(`${file}: no cluster`);
  }
  return new Promise((resolve, reject) => {
    const req = https.request(`${cluster.server}${urlPath}`, { ca: fs.readFileSync(cluster["certificate-authority"]), timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => { resolve({ status: res.statusCode ?? 0 }); });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${urlPath}: no answer within 10 s`)));
    req.on("error", reject);
    req.end();
  });
}
