// Canary releases with the real controllers on the real nodes (npm run
// test:delivery; docs/delivery.md): the prod stack as a canary, Flagger
// moving the public weight through a Traefik Gateway while Prometheus scrapes
// the pods, under a constant load through that Gateway. A good image is
// promoted through every step with no failed request; a slow one and a
// failing one are each rolled back by Flagger, the stable version serving
// throughout. Requests with the internal users' header reach the new version
// for the whole analysis, and no pod between releases. The figures (requests and failures per step, time to promote
// or roll back) are printed and kept with the run's logs.
import * as fs from "node:fs";
import * as path from "node:path";
import { collection, get, KObject, kubectl, list, pathOf, request } from "../cluster/kube";
import { Applied, idOf } from "../cluster/objects";
import { eventually } from "../cluster/poll";
import { applyCrds, assertRunning, figureOf, secondsBetween as seconds, gateway, gatewayApiCrdFiles, gatewayObjects, gatewayUrl, HostProcess, prometheusUrl, promQuery, requireTools, startFlagger, startPrometheus, startTraefik, stopAll, throughGateway } from "./delivery";
import { e2e } from "./env";
import { externalDatabase, externalDatabaseReady } from "./external-db";
import { LoadProgress, startLoad } from "./host";
import { apply, Change, objectsOf, ofKind, runOnNodes, tokenOf } from "./stack";

const stack = "prod";
const namespace = "goapi-delivery";
/** The stack file's canary, with the Gateway of these nodes and the host's Prometheus. */
const steps = [5, 20, 100];
const interval = "1m";
const settings = {
  delivery: { canary: { steps, interval, gateway } },
  observability: { prometheusUrl },
};
const rate = 40;
/** The route's hostname, as the stack declares it (goapi:ingress.host in its stack file). */
let host = "";
/** The header the stack's internal users' route matches, as the stack declares it. */
let internalUsers = { header: "", value: "" };
/** Requests per probe of who answers (one after another, beside the load). */
const probes = 20;
/** The versions app/build.sh stamps on the first and the second image (scripts/e2e/app-images.sh). */
const stableVersion = "e2e-1";
const nextVersion = "e2e-2";
/** Flagger's bound for one release here: a pass to notice it, one interval per step and per failed check allowed, and slack. */
const releaseSeconds = 60 * (1 + steps.length + 2 + 3);

interface CanaryStatus {
  phase?: string;
  canaryWeight?: number;
  failedChecks?: number;
  lastTransitionTime?: string;
}
interface Deployment extends KObject {
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  status?: { readyReplicas?: number };
}

const figure = figureOf("delivery");

/** A change of the Canary's phase or weight, when this process saw it. */
interface Seen {
  at: number;
  phase: string;
  weight: number;
  failedChecks: number;
}

/** `probes` GETs of /version through the Gateway, tallied by answer: "200 e2e-2" (the version that served it) or the status alone. */
async function whoAnswers(headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  for (let i = 0; i < probes; i++) {
    const res = await throughGateway("GET", "/version", host, headers);
    const key = res.status === 200 ? `200 ${(JSON.parse(res.body) as { version: string }).version}` : String(res.status);
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

/** Who answers with the internal users' header and without it. */
async function withAndWithoutHeader(): Promise<{ withHeader: Record<string, number>; without: Record<string, number> }> {
  return { withHeader: await whoAnswers({ [internalUsers.header]: internalUsers.value }), without: await whoAnswers() };
}

describe("canary releases with Flagger, Traefik and Prometheus on real nodes", () => {
  const work = path.join(e2e.state, "tmp", "delivery");
  const processes: HostProcess[] = [];
  let objects: Applied[] = [];
  let current: Change = {};
  let itemId = "";
  const canaryPath = () => `/apis/flagger.app/v1beta1/namespaces/${namespace}/canaries/goapi`;
  const canaryStatus = async () => ((await get<KObject & { status?: CanaryStatus }>(canaryPath())).status ?? {});
  const primary = () => get<Deployment>(`${collection("apps/v1", "deployments", namespace)}/goapi-primary`);
  const render = async (change: Change) => objectsOf((await runOnNodes(stack, change, { namespace, keepStrategy: true, set: settings })).declared);
  /** As `pulumi up` with ignoreChanges on spec.replicas: the Deployment's replicas are Flagger's after the first apply. */
  const withoutReplicas = (o: KObject): KObject => {
    if (o.kind !== "Deployment") {
      return o;
    }
    const spec = { ...(o.spec as Record<string, unknown>) };
    delete spec.replicas;
    return { ...o, spec };
  };
  const processesAlive = () => {
    assertRunning(processes);
  };

  beforeAll(async () => {
    requireTools(["flagger", "traefik", "prometheus"]);
    fs.mkdirSync(work, { recursive: true });
    await applyCrds(gatewayApiCrdFiles());
    await apply(gatewayObjects(), path.join(work, "gateway.yaml"));
    await apply(externalDatabase(stack), path.join(work, "database.yaml"));
    objects = await render({});
    const monitor = ofKind(objects, "ServiceMonitor")[0];
    if (monitor === undefined) {
      throw new Error("the stack declares no ServiceMonitor: nothing tells Prometheus what to scrape");
    }
    const canarySpec = ofKind(objects, "Canary")[0]?.spec as { service?: { hosts?: string[] } } | undefined;
    host = canarySpec?.service?.hosts?.[0] ?? "";
    if (host === "") {
      throw new Error("the stack declares no Canary with a host: nothing for the Gateway to route");
    }
    internalUsers = internalUsersOf(objects);
    processes.push(startTraefik(work), startPrometheus(work, monitor), startFlagger());
    await eventually("the Gateway programmed by Traefik", 120, async () => {
      processesAlive();
      const g = await get<KObject & { status?: { conditions?: { type: string; status: string }[] } }>(`/apis/gateway.networking.k8s.io/v1/namespaces/${gateway.namespace}/gateways/${gateway.name}`);
      return { done: g.status?.conditions?.some((c) => c.type === "Programmed" && c.status === "True") ?? false, seen: g.status?.conditions };
    });
    await externalDatabaseReady(stack);
    // The first `pulumi up`: everything, the migration Job and the Deployment last.
    const all = objects.map((a) => a.object);
    const later = ["Job", "Deployment"];
    await apply(all.filter((o) => !later.includes(o.kind)), path.join(work, "objects.yaml"));
    // On a cluster kept from an earlier run the Deployment is there, its replicas Flagger's: an update, as ignoreChanges makes it.
    const rollout = await Promise.all(all.filter((o) => later.includes(o.kind)).map(async (o) => ((await request("GET", await pathOf(o))).status === 200 ? withoutReplicas(o) : o)));
    await apply(rollout, path.join(work, "rollout.yaml"));
    const initialized = await eventually("Flagger initializes the Canary (goapi-primary, its Services and HTTPRoute)", 300, async () => {
      processesAlive();
      const s = await canaryStatus().catch((): CanaryStatus => ({}));
      return { done: s.phase === "Initialized", seen: s };
    });
    figure(`initialized: ${JSON.stringify(initialized)}`);
    // An item for the load, created through the Gateway.
    const created = await throughGateway("POST", "/v1/items", host, { authorization: `Bearer ${tokenOf(stack, 0)}`, "content-type": "application/json" }, JSON.stringify({ name: "the canary checks' item" }));
    expect(created.status).toBe(201);
    itemId = (JSON.parse(created.body) as { id: string }).id;
  }, 900_000);

  afterAll(async () => {
    await stopAll(processes);
  });

  /**
   * Releases `image` under the constant load through the Gateway, as `pulumi
   * up` would (the migration Job, then the Deployment), and follows the
   * Canary until Flagger promotes it or rolls it back. Prints the figures
   * per step. `atStep` runs once for each public weight above 0 the Canary
   * holds during the analysis.
   */
  const release = async (what: string, image: string, atStep?: (weight: number) => Promise<void>) => {
    processesAlive();
    const before = await canaryStatus();
    const stableImage = (await primary()).spec.template.spec.containers[0]?.image;
    const next = { ...current, image };
    const after = await render(next);
    const has = (set: Applied[], o: KObject) => set.some((x) => idOf(x.object) === idOf(o));
    const created = after.filter((a) => !has(objects, a.object)).map((a) => a.object);
    const updated = after.filter((a) => has(objects, a.object) && JSON.stringify(a.object) !== JSON.stringify(objects.find((b) => idOf(b.object) === idOf(a.object))?.object)).map((a) => withoutReplicas(a.object));
    expect({ created: created.map((o) => o.kind), updated: updated.map((o) => o.kind) }).toEqual({ created: ["Job"], updated: ["Deployment"] });

    expect((await throughGateway("GET", "/readyz", host)).status).toBe(200);
    const load = startLoad(e2e.loadgen, gatewayUrl, itemId, rate, releaseSeconds + 60, { host, progressSeconds: 1 });
    const seen: Seen[] = [];
    let fewestPrimary = Number.POSITIVE_INFINITY;
    const primaryImages = new Set<string>();
    const began = Date.now();
    let applied = 0;
    const stepped = new Set<number>();
    try {
      await new Promise((r) => setTimeout(r, 2000));
      await apply(created, path.join(work, `${what}-created.yaml`));
      const job = created[0] as KObject;
      await eventually(`${what}: the migration Job complete`, 180, async () => {
        const j = await get<KObject & { status?: { succeeded?: number } }>(`${collection("batch/v1", "jobs", namespace)}/${job.metadata.name}`);
        return { done: (j.status?.succeeded ?? 0) >= 1, seen: j.status };
      });
      await apply(updated, path.join(work, `${what}-updated.yaml`));
      applied = Date.now();
      objects = after;
      current = next;
      await eventually(`${what}: Flagger ends the release (Succeeded or Failed)`, releaseSeconds, async () => {
        processesAlive();
        const s = await canaryStatus();
        const p = await primary();
        fewestPrimary = Math.min(fewestPrimary, p.status?.readyReplicas ?? 0);
        primaryImages.add(p.spec.template.spec.containers[0]?.image ?? "?");
        const last = seen.at(-1);
        const now = { at: Date.now(), phase: s.phase ?? "?", weight: s.canaryWeight ?? 0, failedChecks: s.failedChecks ?? 0 };
        if (last === undefined || last.phase !== now.phase || last.weight !== now.weight || last.failedChecks !== now.failedChecks) {
          seen.push(now);
        }
        if (atStep !== undefined && !stepped.has(now.weight) && now.phase === "Progressing" && now.weight > 0) {
          stepped.add(now.weight);
          await atStep(now.weight);
        }
        // A terminal phase counts once a moving one was seen: right after the apply the Canary still shows the last release's.
        const moved = seen.some((x) => x.phase === "Progressing" || x.phase === "Promoting" || x.phase === "Finalising");
        return { done: moved && (now.phase === "Succeeded" || now.phase === "Failed"), seen: { phase: now.phase, weight: now.weight, failedChecks: now.failedChecks } };
      });
      // A moment of the load after the end: the stable version alone again.
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      const result = await load.stop();
      const progress = load.progress();
      const total = `${what}: ${result.requests} requests through the Gateway at ${rate}/s in ${result.seconds}s, ${result.failed} failed (${result.summary})`;
      figure(total);
      for (const line of stepFigures(seen, progress, began)) {
        figure(`${what}: ${line}`);
      }
      for (const f of result.failures) {
        figure(`${what}:   ${f}`);
      }
      lastRelease = { result, seen, applied, before, fewestPrimary, primaryImages: [...primaryImages], stableImage };
    }
    return lastRelease;
  };
  let lastRelease: {
    result: Awaited<ReturnType<ReturnType<typeof startLoad>["stop"]>>;
    seen: Seen[];
    applied: number;
    before: CanaryStatus;
    fewestPrimary: number;
    primaryImages: string[];
    stableImage: string | undefined;
  };

  it("promotes a good image through 5, 20 and 100 % with no failed request, the internal users on it for the whole analysis", async () => {
    const header = `${internalUsers.header}: ${internalUsers.value}`;
    // Between releases the candidate's Service has no pods.
    const before = await withAndWithoutHeader();
    figure(`good image: before the release, ${probes} GET /version with ${header}: ${JSON.stringify(before.withHeader)}; without: ${JSON.stringify(before.without)}`);
    const during: { weight: number; withHeader: Record<string, number>; without: Record<string, number> }[] = [];
    const r = await release("good image", e2e.images.appNext, async (weight) => {
      const answers = await withAndWithoutHeader();
      during.push({ weight, ...answers });
      figure(`good image: at weight ${weight}, ${probes} GET /version with ${header}: ${JSON.stringify(answers.withHeader)}; without: ${JSON.stringify(answers.without)}`);
    });
    const after = await withAndWithoutHeader();
    figure(`good image: after the promotion, ${probes} GET /version with ${header}: ${JSON.stringify(after.withHeader)}; without: ${JSON.stringify(after.without)}`);
    const end = r.seen.at(-1);
    expect(end?.phase).toBe("Succeeded");
    // Every step below 100 was taken, in order, before the promotion.
    const weights = r.seen.map((x) => x.weight).filter((w, i, all) => w > 0 && all.indexOf(w) === i);
    expect(weights).toEqual(steps.slice(0, -1));
    figure(`good image: promoted ${seconds(r.applied, end?.at)}s after the Deployment was applied (steps seen: ${describeSeen(r.seen, r.applied)})`);
    expect((await primary()).spec.template.spec.containers[0]?.image).toBe(e2e.images.appNext);
    const version = JSON.parse((await throughGateway("GET", "/version", host)).body) as { version: string };
    expect(version.version).toBe("e2e-2");
    expect({ failed: r.result.failed, failures: r.result.failures }).toEqual({ failed: 0, failures: [] });
    expect(r.fewestPrimary).toBeGreaterThanOrEqual(2);
    // The internal users: no pod to answer them before and after, the candidate alone at every step of the analysis.
    expect(before).toEqual({ withHeader: { "503": probes }, without: { [`200 ${stableVersion}`]: probes } });
    expect(during.map((d) => [d.weight, d.withHeader])).toEqual(steps.slice(0, -1).map((w) => [w, { [`200 ${nextVersion}`]: probes }]));
    // Without the header, the public weights: either version, never a failure; the primary for most at the first step (5 %).
    const versions = [`200 ${stableVersion}`, `200 ${nextVersion}`];
    expect(during.flatMap((d) => Object.keys(d.without)).filter((k) => !versions.includes(k))).toEqual([]);
    expect(during[0]?.without[`200 ${stableVersion}`] ?? 0).toBeGreaterThan(probes / 2);
    expect(after).toEqual({ withHeader: { "503": probes }, without: { [`200 ${nextVersion}`]: probes } });
  });

  /** A faulty image: Flagger rolls it back by itself; the primary keeps the stable image throughout. */
  const rolledBack = async (what: string, image: string) => {
    const r = await release(what, image);
    const end = r.seen.at(-1);
    expect(end?.phase).toBe("Failed");
    figure(`${what}: rolled back ${seconds(r.applied, end?.at)}s after the Deployment was applied (steps seen: ${describeSeen(r.seen, r.applied)})`);
    // The stable version served throughout: the primary never changed image nor lost a ready pod.
    expect(r.primaryImages).toEqual([r.stableImage]);
    expect(r.fewestPrimary).toBeGreaterThanOrEqual(2);
    // The route back at 100/0 and the candidate scaled to 0.
    const route = await get<KObject & { spec: { rules: { backendRefs: { name: string; weight: number }[] }[] } }>(`/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes/goapi`);
    expect(route.spec.rules[0]?.backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ["goapi-primary", 100],
      ["goapi-canary", 0],
    ]);
    const target = await get<Deployment>(`${collection("apps/v1", "deployments", namespace)}/goapi`);
    expect(target.spec.replicas).toBe(0);
    const events = await kubectl(["--namespace", namespace, "get", "events", "--field-selector=involvedObject.kind=Canary", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}"]);
    const lines = events.stdout.split("\n").filter((l) => /Halt|Rolling back|threshold/.test(l));
    for (const l of [...new Set(lines)].slice(-6)) {
      figure(`${what}: Flagger: ${l}`);
    }
    return r;
  };

  it("rolls back an image whose P99 is above the threshold, the stable version serving throughout", async () => {
    const r = await rolledBack("slow image", e2e.images.appSlow);
    // Slow, not failing: every request was answered.
    expect({ failed: r.result.failed, failures: r.result.failures }).toEqual({ failed: 0, failures: [] });
  });

  it("rolls back an image that fails more than 1 % of its requests, the stable version serving throughout", async () => {
    const r = await rolledBack("failing image", e2e.images.appFailing);
    // Only the candidate's share of the traffic failed, and only with its 500s.
    expect(r.result.failures.every((f) => f.endsWith("HTTP 500"))).toBe(true);
    expect(r.result.failed).toBeLessThan(r.result.requests * 0.1 * (steps[0] ?? 100) / 100 * 2 + 5);
  });

  it("reads the pods' metrics as the MetricTemplates do (the analysis had data)", async () => {
    const up = await promQuery(`sum(up{namespace="${namespace}"})`);
    expect(up).toBeGreaterThanOrEqual(2);
    const pods = (await list(`${collection("v1", "pods", namespace)}?labelSelector=${encodeURIComponent("app.kubernetes.io/name=goapi-primary")}`)).items;
    expect(pods.length).toBeGreaterThanOrEqual(2);
  });
});

/** The header match of the stack's own HTTPRoute for internal users (components/canary.ts); where it sends them is what the checks find out. */
function internalUsersOf(objects: Applied[]): { header: string; value: string } {
  interface Route {
    rules?: { matches?: { headers?: { name: string; value: string }[] }[] }[];
  }
  const matches = ofKind(objects, "HTTPRoute").flatMap((o) => ((o.spec as Route).rules ?? []).flatMap((r) => r.matches ?? []));
  const header = matches.flatMap((m) => m.headers ?? [])[0];
  if (header === undefined) {
    throw new Error("the stack declares no HTTPRoute with a header match: no internal users to check (delivery.canary.internalUsers)");
  }
  return { header: header.name, value: header.value };
}

function describeSeen(seen: Seen[], from: number): string {
  return seen.map((s) => `+${seconds(from, s.at)}s ${s.phase} ${s.weight}%${s.failedChecks > 0 ? ` (${s.failedChecks} failed checks)` : ""}`).join(", ");
}

/** Requests sent and failed while each weight held, from the load's running counts. */
function stepFigures(seen: Seen[], progress: LoadProgress[], began: number): string[] {
  const at = (t: number) => {
    // The last count read at or before t.
    let c = { requests: 0, failed: 0 };
    for (const p of progress) {
      if (p.at <= t) {
        c = p;
      }
    }
    return c;
  };
  const marks = [{ at: began, label: "before the release reached the Canary" }, ...seen.map((s) => ({ at: s.at, label: `${s.phase} at ${s.weight}%${s.failedChecks > 0 ? ` after ${s.failedChecks} failed checks` : ""}` }))];
  const end = progress.at(-1)?.at ?? Date.now();
  return marks.map((m, i) => {
    const to = marks[i + 1]?.at ?? end;
    const a = at(m.at);
    const b = at(to);
    return `  ${m.label}: ${seconds(m.at, to)}s, ${b.requests - a.requests} requests, ${b.failed - a.failed} failed`;
  });
}
