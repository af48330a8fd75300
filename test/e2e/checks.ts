// What real nodes say about a stack: its pods run restricted, the migration
// runs against the database before the API gets ready, the Service answers by
// ClusterIP and by name, the NetworkPolicies hold, and (for the stacks asked
// to) rollouts under a constant load lose no request.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { collection, get, KObject, kubectl, list, pathOf, Watch, watchSet } from "../cluster/kube";
import { Applied, idOf } from "../cluster/objects";
import { eventually } from "../cluster/poll";
import { e2e } from "./env";
import { boundsBroken, explainOnNodes, recordFixture, secretValuesOf } from "./explain";
import { externalDatabase } from "./external-db";
import { processOf, startLoad } from "./host";
import { probeFrom, probeInside } from "./probe";
import { apply, Change, externalDatabaseNamespace, externalDatabasePassword, namespaceOf, objectsOf, ofKind, remove, runOnNodes, tokenOf, volumesFor } from "./stack";

const patience = 180;
/** The load during each rollout: GETs per second to the ClusterIP, and the longest it may run. */
const rate = 40;
const loadSeconds = 300;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
interface ContainerStatus {
  name: string;
  containerID?: string;
  ready: boolean;
  restartCount: number;
  state?: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: { exitCode: number; reason?: string; message?: string } };
  lastState?: { terminated?: { exitCode: number; reason?: string; message?: string } };
}
interface Pod extends KObject {
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[] };
}
interface Workload extends KObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> } };
  status?: { observedGeneration?: number; replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number; conditions?: Condition[]; completionTime?: string };
}
interface EndpointSlice extends KObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }[];
}

const isTrue = (c: Condition[] | undefined, type: string) => c?.some((x) => x.type === type && x.status === "True") ?? false;
const readyAt = (p: Pod) => p.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
const readyPods = (pods: Iterable<Pod>) => [...pods].filter((p) => !p.metadata.deletionTimestamp && isTrue(p.status?.conditions, "Ready"));
const readyEndpoints = (slices: Iterable<EndpointSlice>) =>
  [...new Set([...slices].flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.targetRef?.name ?? "?")))];
const seconds = (from?: string, to?: string) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : NaN);

/** Figures for docs/testing.md: printed, and kept with the run's logs. */
function figure(stack: string, line: string): void {
  const text = `e2e figure [${stack}] ${line}`;
  fs.appendFileSync(path.join(e2e.state, "logs", "figures.txt"), `${text}\n`);
  process.stdout.write(`${text}\n`);
}

/** Why the pods of a rollout are not ready, pod by pod, as a person would want it reported. */
async function reasonsOf(namespace: string, pods: Pod[]): Promise<string[]> {
  const reasons: string[] = [];
  for (const p of pods) {
    for (const c of p.status?.containerStatuses ?? []) {
      const waiting = c.state?.waiting;
      const last = c.lastState?.terminated;
      const parts = [`pod ${p.metadata.name}: container ${c.name}`];
      if (waiting) {
        parts.push(`waiting ${waiting.reason ?? ""}`);
      } else if (c.state?.running) {
        parts.push(c.ready ? "running, ready" : "running, not ready");
      }
      if (last) {
        const message = (last.message ?? "").trim().split("\n").at(-1) ?? "";
        parts.push(`last exit ${last.exitCode} (${last.reason ?? ""})${message === "" ? "" : `: ${message}`}`);
      }
      parts.push(`restarts ${c.restartCount}`);
      reasons.push(parts.join(", "));
    }
    const events = await kubectl(["--namespace", namespace, "get", "events", `--field-selector=involvedObject.name=${p.metadata.name},type=Warning`, "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"]);
    reasons.push(...[...new Set(events.stdout.split("\n").filter(Boolean))].map((e) => `pod ${p.metadata.name}: ${e}`));
  }
  return reasons;
}

export interface RealNodeOptions {
  /** Roll out changes and faulty images under load (the slow part). */
  rollouts: boolean;
}

export function describeRealNodeChecks(stack: string, options: RealNodeOptions): void {
  const namespace = namespaceOf(stack);
  let objects: Applied[] = [];
  let extra: KObject[] = [];
  let up = false;
  const work = () => path.join(e2e.state, "tmp", stack);
  const afterUp = () => {
    if (!up) {
      throw new Error("not checked: the stack never came up (see the first check)");
    }
  };
  const deployment = () => {
    const ds = ofKind(objects, "Deployment").filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "api");
    if (ds.length !== 1) {
      throw new Error(`expected one API Deployment, found ${ds.length}`);
    }
    return ds[0] as Workload;
  };
  const desired = () => ((ofKind(objects, "HorizontalPodAutoscaler")[0]?.spec as { minReplicas?: number } | undefined)?.minReplicas ?? 1);
  const selector = () => encodeURIComponent(Object.entries(deployment().spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(","));
  const apiPods = async () => (await list<Pod>(`${collection("v1", "pods", namespace)}?labelSelector=${selector()}`)).items.filter((p) => !p.metadata.deletionTimestamp);
  const service = () => ofKind(objects, "Service").find((s) => s.metadata.labels?.["app.kubernetes.io/component"] === "api") as KObject;
  const clusterIp = async () => ((await get<KObject & { spec: { clusterIP: string } }>(await pathOf(service()))).spec.clusterIP);
  const controllerNamespace = () => {
    const policy = ofKind(objects, "NetworkPolicy").find((p) => p.metadata.name === deployment().metadata.name);
    const from = (policy?.spec as { ingress?: { from?: { namespaceSelector?: { matchLabels?: Record<string, string> } }[] }[] } | undefined)?.ingress?.[0]?.from?.[0];
    const ns = from?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
    if (!ns) {
      throw new Error("the API's NetworkPolicy names no ingress controller namespace");
    }
    return ns;
  };

  // A check's reverted pods may still be terminating when the next check starts: each faulty
  // rollout starts once they are gone, so the pods and endpoints it counts are its own.
  const previousPodsGone = () =>
    eventually("the previous rollout's pods gone", patience, async () => {
      const all = (await list<Pod>(`${collection("v1", "pods", namespace)}?labelSelector=${selector()}`)).items;
      const leaving = all.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name);
      return { done: leaving.length === 0, seen: { terminating: leaving } };
    });
  const waitRolledOut = async (what: string, image?: string) =>
    eventually(what, patience, async () => {
      const d = await get<Workload>(await pathOf(deployment()));
      const s = d.status ?? {};
      const pods = await apiPods();
      const onImage = image === undefined ? pods : pods.filter((p) => p.spec.containers[0]?.image === image);
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
        s.updatedReplicas === desired() && s.readyReplicas === desired() && s.replicas === desired() &&
        pods.length === desired() && onImage.length === desired() && readyPods(pods).length === desired();
      return { done, seen: { status: { replicas: s.replicas, updated: s.updatedReplicas, ready: s.readyReplicas }, pods: pods.map((p) => p.metadata.name) } };
    });
  const waitJob = async (job: KObject, outcome: "Complete" | "Failed") =>
    eventually(`${idOf(job)} ${outcome}`, patience, async () => {
      const j = await get<Workload>(await pathOf(job));
      const c = j.status?.conditions;
      if (outcome === "Complete" && isTrue(c, "Failed")) {
        throw new Error(`${idOf(job)} failed: ${JSON.stringify(c)}`);
      }
      return { done: isTrue(c, outcome), seen: { conditions: c?.map((x) => `${x.type}=${x.status}(${x.reason ?? ""})`), completionTime: j.status?.completionTime } };
    });

  /** Watches the Service's ready endpoints; fewest() is the smallest count seen since. */
  const watchEndpoints = async () => {
    let fewest = Number.POSITIVE_INFINITY;
    const slicesPath = `${collection("discovery.k8s.io/v1", "endpointslices", namespace)}?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service().metadata.name}`)}`;
    const watch: Watch = await watchSet<EndpointSlice>(slicesPath, (items) => {
      fewest = Math.min(fewest, readyEndpoints(items.values()).length);
    });
    return {
      fewest: () => fewest,
      stop: () => {
        watch.stop();
        const failure = watch.failure();
        if (failure) {
          throw failure;
        }
      },
    };
  };

  /**
   * Runs `act` under the constant load and the endpoint watch, and returns
   * the figures: requests sent and failed, fewest ready endpoints.
   */
  let itemId = "";
  const underLoad = async (what: string, act: () => Promise<void>) => {
    const endpoints = await watchEndpoints();
    const load = startLoad(e2e.loadgen, `http://${await clusterIp()}`, itemId, rate, loadSeconds);
    const began = Date.now();
    try {
      await new Promise((r) => setTimeout(r, 2000));
      await act();
      // Requests in flight to pods that just left, and a moment of the new pods alone.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      const result = await load.stop();
      endpoints.stop();
      const fewest = endpoints.fewest();
      figure(stack, `${what}: ${result.requests} requests in ${result.seconds}s at ${rate}/s, ${result.failed} failed; fewest ready endpoints ${fewest} of ${desired()}; ${((Date.now() - began) / 1000).toFixed(1)}s`);
      for (const f of result.failures) {
        figure(stack, `  ${f}`);
      }
      lastLoad = { failed: result.failed, requests: result.requests, fewest, failures: result.failures };
    }
    return lastLoad;
  };
  let lastLoad = { failed: 0, requests: 0, fewest: 0, failures: [] as string[] };

  /** The program run again with `change`: the objects it creates, updates and deletes, as `pulumi up` would. */
  let current: Change = {};
  const diff = async (change: Change) => {
    const next = { ...current, ...change };
    const after = objectsOf((await runOnNodes(stack, next)).declared);
    const has = (set: Applied[], o: KObject) => set.some((x) => idOf(x.object) === idOf(o));
    const before = objects;
    return {
      next,
      after,
      created: after.filter((a) => !has(before, a.object)).map((a) => a.object),
      updated: after.filter((a) => has(before, a.object) && JSON.stringify(a.object) !== JSON.stringify(before.find((b) => idOf(b.object) === idOf(a.object))?.object)).map((a) => a.object),
      deleted: before.filter((b) => !has(after, b.object)).map((b) => b.object),
    };
  };
  const newPodStarts = async (before: string[]) => {
    const pods = (await apiPods()).filter((p) => !before.includes(p.metadata.name));
    return pods.map((p) => seconds((p.metadata as { creationTimestamp?: string }).creationTimestamp, readyAt(p)).toFixed(1)).join(", ");
  };

  beforeAll(() => {
    fs.mkdirSync(work(), { recursive: true });
  });

  afterAll(async () => {
    if (e2e.keep) {
      return;
    }
    for (const ns of [namespace, externalDatabaseNamespace(stack)]) {
      await kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", `--timeout=${patience}s`]);
    }
    await remove(extra.filter((o) => o.kind === "PersistentVolume"));
  });

  describe(`the ${stack} stack on real nodes`, () => {
    it("runs the migration against the database, then the API's pods get ready, under PodSecurity restricted", async () => {
      const started = Date.now();
      objects = objectsOf((await runOnNodes(stack)).declared);
      const all = objects.map((a) => a.object);
      // As `pulumi up` orders them: the database first, then its migration;
      // the Deployment comes with the Job here, so that its pods show they
      // get ready only once the schema is there.
      extra = [...volumesFor(objects, 10001), ...(ofKind(objects, "StatefulSet").length === 0 ? externalDatabase(stack) : [])];
      await apply(extra, path.join(work(), "database.yaml"));
      const later = ["Job", "Deployment"];
      await apply(all.filter((o) => !later.includes(o.kind)), path.join(work(), "objects.yaml"));
      const ns = await get(collection("v1", "namespaces") + `/${namespace}`);
      expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
      for (const w of [...ofKind(objects, "StatefulSet"), ...extra.filter((o) => o.kind === "Deployment")]) {
        await eventually(`${idOf(w)} ready`, patience, async () => {
          const s = (await get<Workload>(await pathOf(w))).status;
          return { done: (s?.readyReplicas ?? 0) >= 1, seen: s };
        });
      }
      const databaseReady = Date.now();
      await apply(all.filter((o) => later.includes(o.kind)), path.join(work(), "rollout.yaml"));
      const job = ofKind(objects, "Job")[0] as KObject;
      const migrated = await waitJob(job, "Complete");
      await waitRolledOut("the first rollout");
      const pods = await apiPods();
      const ready = pods.map(readyAt);
      // The Job's pod ran `migrate` for real: its log says when the schema was
      // there. (The Job's completionTime comes later, once the pod has exited
      // and the controller has seen it: an API pod may be ready before it.)
      const jobPods = (await list<Pod>(`${collection("v1", "pods", namespace)}?labelSelector=${encodeURIComponent(`job-name=${job.metadata.name}`)}`)).items;
      const succeeded = jobPods.find((p) => p.status?.phase === "Succeeded");
      expect(succeeded).toBeDefined();
      const migrateLog = await kubectl(["--namespace", namespace, "logs", succeeded?.metadata.name ?? "?"]);
      const schemaAt = migrateLog.stdout.split("\n").map((line) => /"time":"([^"]+)".*"msg":"schema up to date"/.exec(line)?.[1]).find((t) => t !== undefined);
      const refusedBefore = (await kubectl(["--namespace", namespace, "logs", pods[0]?.metadata.name ?? "?"])).stdout.includes("run the migrate subcommand");
      figure(stack, `first up: database ready ${((databaseReady - started) / 1000).toFixed(1)}s after apply; schema up to date at ${schemaAt ?? "?"} (migration Job complete at ${migrated.completionTime}); API pods ready at ${ready.join(", ")}${refusedBefore ? ", their readiness refused before (schema too old)" : ""}; pod start (created to ready) ${await newPodStarts([])}s; nodes ${pods.map((p) => p.spec.nodeName).join(", ")}; ${((Date.now() - started) / 1000).toFixed(1)}s in all`);
      expect(schemaAt).toBeDefined();
      for (const at of ready) {
        // A Ready condition's time is in whole seconds.
        expect(Date.parse(at ?? "")).toBeGreaterThanOrEqual(Math.floor(Date.parse(schemaAt ?? "") / 1000) * 1000);
      }
      if (desired() > 1) {
        // Spread over both nodes (topologySpreadConstraints on the host name).
        expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);
      }
      up = true;
    });

    it("runs every container as its fixed non-root user with a read-only root file system", async () => {
      afterUp();
      const seen = [];
      const pods = [...(await apiPods()), ...(await list<Pod>(`${collection("v1", "pods", namespace)}?labelSelector=app.kubernetes.io%2Fcomponent%3Ddatabase`)).items];
      for (const p of pods) {
        for (const c of p.status?.containerStatuses ?? []) {
          const facts = processOf(c.containerID ?? "");
          seen.push({ container: `${p.metadata.labels?.["app.kubernetes.io/component"]}/${c.name}`, uid: facts.uid, gid: facts.gid, readOnlyRoot: facts.rootMount.split(",")[0] === "ro", command: facts.command });
        }
      }
      figure(stack, `processes: ${seen.map((s) => `${s.container} uid ${s.uid} gid ${s.gid} root ${s.readOnlyRoot ? "ro" : "rw"} (${s.command})`).join("; ")}`);
      const expected = (container: string) => (container.startsWith("database/") ? 10001 : 65532);
      expect(seen.length).toBeGreaterThanOrEqual(desired());
      expect(seen.map((s) => ({ ...s, command: undefined }))).toEqual(seen.map((s) => ({ container: s.container, uid: expected(s.container), gid: expected(s.container), readOnlyRoot: true, command: undefined })));
    });

    it("answers through its ClusterIP and by DNS name from the ingress controller's namespace", async () => {
      afterUp();
      const ip = await clusterIp();
      const name = `${service().metadata.name}.${namespace}.svc.cluster.local`;
      // The enforcer lets a new pod in only once it has synced it into the policy's source set:
      // the probe, new in the namespace, may be refused for a moment. Three tries, a second apart.
      const probe = await probeFrom(
        controllerNamespace(),
        `set -e; nslookup ${name} >/dev/termination-log; n=1; until timeout 5 wget -q -O - http://${name}/readyz >>/dev/termination-log; do [ $n -lt 3 ] || exit 1; n=$((n+1)); sleep 1; done; echo " tries=$n" >>/dev/termination-log; timeout 5 wget -q -O - http://${ip}/version >>/dev/termination-log`,
      );
      figure(stack, `from namespace ${controllerNamespace()}: exit ${probe.exitCode}: ${probe.output.replace(/\s+/g, " ").trim()}`);
      expect(probe.exitCode).toBe(0);
      expect(probe.output).toContain(`Address: ${ip}`);
      expect(probe.output).toMatch(/"status":\s*"ready"/);
      expect(probe.output).toContain('"version":"e2e-1"');
    });

    it("writes an item through one pod and reads it back through another (or the Service, with one pod)", async () => {
      afterUp();
      const pods = readyPods(await apiPods());
      const writer = `http://${pods[0]?.status?.podIP ?? "?"}:8080`;
      const reader = pods.length > 1 ? `http://${pods[1]?.status?.podIP ?? "?"}:8080` : `http://${await clusterIp()}`;
      const posted = await fetch(`${writer}/v1/items`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenOf(stack, 0)}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `written on ${pods[0]?.metadata.name ?? "?"}` }),
      });
      expect(posted.status).toBe(201);
      const item = (await posted.json()) as { id: string; name: string };
      const read = await fetch(`${reader}/v1/items/${item.id}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { name: string }).name).toBe(item.name);
      itemId = item.id;
      figure(stack, `item ${item.id} written through ${writer}, read through ${reader}`);
    });

    it("enforces the NetworkPolicies: no other namespace reaches the API, the API reaches only DNS and its database", async () => {
      afterUp();
      const ip = await clusterIp();
      const apiServer = `http://${e2e.nodeAddress}:6443/`;
      // From a namespace no policy lets in: refused, though the same pod reaches the API server.
      const outsider = await probeFrom("goapi-e2e-outsider", `timeout 5 wget -q -O - http://${ip}/readyz >/dev/termination-log 2>&1; echo "api: $?" >>/dev/termination-log; timeout 5 wget -q -O - ${apiServer} >>/dev/termination-log 2>&1; echo "apiserver: $?" >>/dev/termination-log`);
      figure(stack, `from namespace goapi-e2e-outsider: ${outsider.output.replace(/\s+/g, " ").trim()}`);
      expect(outsider.output).toMatch(/api: [1-9]/);
      expect(outsider.output).toMatch(/Connection refused|Terminated/);
      expect(outsider.output).toMatch(/400 Bad Request[\s\S]*apiserver: 1/);
      // Inside an API pod: the database's name resolves, its port answers (the
      // pod is ready), and the API server's address, outside its egress, is refused.
      const [pod] = readyPods(await apiPods());
      const database = ofKind(objects, "StatefulSet").length > 0 ? `goapi-db.${namespace}.svc.cluster.local` : `postgres.${externalDatabaseNamespace(stack)}.svc.cluster.local`;
      const inside = await probeInside(namespace, pod?.metadata.name ?? "?", `nslookup ${database} >/dev/termination-log 2>&1; echo "dns: $?" >>/dev/termination-log; timeout 5 wget -q -O - ${apiServer} >>/dev/termination-log 2>&1; echo "apiserver: $?" >>/dev/termination-log`);
      figure(stack, `inside ${pod?.metadata.name ?? "?"}: ${inside.output.replace(/\s+/g, " ").trim()}`);
      expect(inside.output).toContain("dns: 0");
      expect(inside.output).toMatch(/Connection refused|Terminated/);
      expect(inside.output).toMatch(/apiserver: [1-9]/);
      expect(inside.output).not.toContain("400 Bad Request");
      const still = await fetch(`http://${ip}/readyz`);
      expect(still.status).toBe(200);
    });

    if (!options.rollouts) {
      return;
    }

    /** A change as `pulumi up` applies it: new objects, then updates (the Deployment awaited), then deletions. */
    const rollOut = async (what: string, change: Change, expectCreated: string[]) => {
      const d = await diff(change);
      expect({ created: d.created.map((o) => o.kind).sort(), updated: d.updated.map((o) => o.kind), deleted: d.deleted.map((o) => o.kind).sort() }).toEqual({
        created: [...expectCreated].sort(),
        updated: ["Deployment"],
        deleted: [...expectCreated].sort(),
      });
      const before = (await apiPods()).map((p) => p.metadata.name);
      const load = await underLoad(what, async () => {
        await apply(d.created, path.join(work(), `${what}-created.yaml`));
        for (const job of d.created.filter((o) => o.kind === "Job")) {
          await waitJob(job, "Complete");
          // The pods roll only after the migration: none new so far.
          expect((await apiPods()).map((p) => p.metadata.name).sort()).toEqual([...before].sort());
        }
        await apply(d.updated, path.join(work(), `${what}-updated.yaml`));
        objects = d.after;
        current = d.next;
        await waitRolledOut(`the rollout of ${what}`, change.image);
        await remove(d.deleted);
      });
      figure(stack, `${what}: new pods created to ready ${await newPodStarts(before)}s`);
      expect((await apiPods()).filter((p) => before.includes(p.metadata.name))).toEqual([]);
      expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
      expect(load.requests).toBeGreaterThan(rate * 5);
      expect(load.fewest).toBeGreaterThanOrEqual(desired());
    };

    it("rolls a config change under load with no failed request", async () => {
      afterUp();
      await rollOut("config change", { logLevel: "warn" }, ["ConfigMap"]);
    });

    it("rolls a token change under load: the old token refused afterwards, the new one accepted", async () => {
      afterUp();
      await rollOut("token change", { token: 1 }, ["Secret"]);
      const ip = await clusterIp();
      const post = (token: string) =>
        fetch(`http://${ip}/v1/items`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "after the token change" }) });
      expect((await post(tokenOf(stack, 0))).status).toBe(401);
      expect((await post(tokenOf(stack, 1))).status).toBe(201);
    });

    it("rolls an image change under load: its migration Job first, then the pods", async () => {
      afterUp();
      await rollOut("image change", { image: e2e.images.appNext }, ["Job"]);
      const version = (await (await fetch(`http://${await clusterIp()}/version`)).json()) as { version: string };
      expect(version.version).toBe("e2e-2");
    });

    it("loses no request when a pod is deleted by hand", async () => {
      afterUp();
      const [victim] = await apiPods();
      const before = (await apiPods()).map((p) => p.metadata.name);
      const load = await underLoad("pod deleted", async () => {
        await kubectl(["--namespace", namespace, "delete", "pod", victim?.metadata.name ?? "?", "--wait=true"]);
        await waitRolledOut("the replacement pod");
      });
      figure(stack, `pod deleted: replacement created to ready ${await newPodStarts(before)}s`);
      expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
      // A deleted pod leaves the endpoints at once; its replacement is not ready yet.
      expect(load.fewest).toBeGreaterThanOrEqual(desired() - 1);
    });

    /**
     * The rollout explainer (rollout/cli.ts) on the stack's namespace, until
     * its text matches every one of `named`; the pods of `selector` it read
     * are recorded as the unit tests' fixture `fixture`.
     */
    const explained = async (what: string, fixture: string, selector: string, named: RegExp[]) => {
      const lines = await eventually(`${what}: the rollout explainer names it`, patience, async () => {
        const l = await explainOnNodes(namespace);
        const done = named.every((r) => r.test(l.join("\n")));
        if (!done) {
          await new Promise((r) => setTimeout(r, 1000));
        }
        return { done, seen: l };
      });
      const known = [tokenOf(stack, 0), tokenOf(stack, 1), externalDatabasePassword(stack)];
      const secrets = [...new Set([...(await secretValuesOf(namespace)), ...known])].filter((v) => v.length >= 6);
      await recordFixture(fixture, namespace, selector, fixtureSecrets(secrets));
      for (const l of lines) {
        figure(stack, `${what}: explained: ${l}`);
      }
      return { lines, text: lines.join("\n"), secrets };
    };
    /** Each real secret value and the stand-in the unit tests' state declares for its role (test/fixtures/rollout/state-secrets.json). */
    const fixtureSecrets = (values: string[]) => {
      const stand = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "rollout", "state-secrets.json"), "utf8")) as { token: string; password: string; databaseUrl: string };
      const tokens = [tokenOf(stack, 0), tokenOf(stack, 1)];
      return new Map(values.map((v): [string, string] => [v, /^postgres(ql)?:\/\//.test(v) ? stand.databaseUrl : tokens.includes(v) ? stand.token : stand.password]));
    };
    /** What the explanation must show, whatever the failure: its bounds kept, and no secret. */
    const expectExplanationSafe = (e: { lines: string[]; text: string; secrets: string[] }) => {
      expect(boundsBroken(e.lines)).toEqual([]);
      expect(e.lines[0]).toBe("Why the rollout failed:");
      expect(e.secrets.filter((s) => e.text.includes(s) || e.text.includes(encodeURIComponent(s)))).toEqual([]);
    };
    const deploymentSelector = () => Object.entries(deployment().spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");

    /** Rolls out a faulty image; the old pods must keep serving, and the report must name why the new pod is not ready. */
    const faulty = async (what: string, image: string, reason: RegExp, fixture: string, named: RegExp[]) => {
      await previousPodsGone();
      const d = await diff({ image });
      const before = (await apiPods()).map((p) => p.metadata.name);
      let reasons: string[] = [];
      let explanation = { lines: [] as string[], text: "", secrets: [] as string[] };
      const load = await underLoad(what, async () => {
        await apply(d.created, path.join(work(), `${what}-created.yaml`));
        for (const job of d.created.filter((o) => o.kind === "Job")) {
          await waitJob(job, "Complete");
        }
        await apply(d.updated, path.join(work(), `${what}-updated.yaml`));
        reasons = await eventually(`${what}: the new pod's failure reported`, patience, async () => {
          const fresh = (await apiPods()).filter((p) => !before.includes(p.metadata.name));
          const r = await reasonsOf(namespace, fresh);
          return { done: r.some((x) => reason.test(x)), seen: r };
        });
        explanation = await explained(what, fixture, deploymentSelector(), named);
        // Back to the image that works, as `pulumi up` of the previous commit would.
        await apply(objects.map((a) => a.object).filter((o) => o.kind === "Deployment" && o.metadata.name === deployment().metadata.name), path.join(work(), `${what}-back.yaml`));
        await waitRolledOut(`the rollback after ${what}`, (deployment() as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image);
        await remove(d.created);
      });
      figure(stack, `${what}: reported ${reasons.join(" | ")}`);
      expect(reasons.some((x) => reason.test(x))).toBe(true);
      for (const r of named) {
        expect(explanation.text).toMatch(r);
      }
      expectExplanationSafe(explanation);
      expect((await apiPods()).map((p) => p.metadata.name).sort()).toEqual([...before].sort());
      expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
      expect(load.fewest).toBeGreaterThanOrEqual(desired());
      return explanation;
    };

    it("keeps the old pods serving when the new image exits at start, and reports why", async () => {
      afterUp();
      const pod = "  pod \\S+ \\(Running, [1-9]\\d* restarts?\\)\n";
      const e = await faulty("image that exits at start", e2e.images.appExits, /last exit 1 \(Error\): .*"msg":"this release exits at start"/, "crashloop", [
        new RegExp(`Deployment ${namespace}/\\S+: 1 of \\d+ pods failing\n${pod}    container api: waiting: CrashLoopBackOff: .*; its last run ended: Error, exit code 1; its message:\n`),
        /\n {6}\{"level":"ERROR","msg":"this release exits at start"\}\n/,
        /last events.*:\n(.*\n)* {6}Warning BackOff: Back-off restarting failed container api/,
        /last log lines of api \(the run that ended\):\n {6}\{"level":"INFO","msg":"config","database":"\[redacted\]","token":"\[redacted\]"\}\n {6}\{"level":"ERROR","msg":"this release exits at start"\}/,
      ]);
      // The release logged its token and database URL: the real text held them, the explanation cut them out.
      expect(e.text).toContain("[redacted]");
    });

    it("keeps the old pods serving when the new image never gets ready, and reports why", async () => {
      afterUp();
      await faulty("image that never gets ready", e2e.images.appUnready, /Readiness probe failed: HTTP probe failed with statuscode: 503/, "unready", [
        new RegExp(`Deployment ${namespace}/\\S+: 1 of \\d+ pods failing\n  pod \\S+ \\(Running, 0 restarts\\)\n    container api: running, not ready\n`),
        /\n {6}Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503( \(x\d+\))?\n/,
        /\n {4}last log lines of api:\n {6}\{/,
      ]);
    });

    it("keeps the old pods serving when the new image cannot be pulled, and the explainer names it on the migration Job", async () => {
      afterUp();
      await previousPodsGone();
      // A digest the local registry does not hold: `pulumi up` waits on the migration Job, the first object of an image change.
      const missing = e2e.images.app.replace(/@sha256:[0-9a-f]{64}$/, `@sha256:${createHash("sha256").update("goapi-e2e: an image never pushed").digest("hex")}`);
      expect(missing).not.toBe(e2e.images.app);
      const d = await diff({ image: missing });
      const job = d.created.find((o) => o.kind === "Job") as KObject;
      const before = (await apiPods()).map((p) => p.metadata.name);
      let explanation = { lines: [] as string[], text: "", secrets: [] as string[] };
      const load = await underLoad("image that cannot be pulled", async () => {
        await apply(d.created, path.join(work(), "pull-created.yaml"));
        explanation = await explained("image that cannot be pulled", "imagepull", `job-name=${job.metadata.name}`, [
          new RegExp(`Job ${namespace}/${job.metadata.name}: 1 of 1 pods failing\n  pod \\S+ \\(Pending, 0 restarts\\)\n    container migrate: waiting: (ErrImagePull|ImagePullBackOff): .*code = NotFound`),
          /\n {6}Warning Failed: Failed to pull image "[^"]+": rpc error: code = NotFound/,
          /\n {6}Warning Failed: Error: (ErrImagePull|ImagePullBackOff)/,
        ]);
        // `pulumi up` stops at the Job: the Deployment is not updated.
        await remove(d.created);
      });
      expect(explanation.text).not.toContain("last log lines");
      expectExplanationSafe(explanation);
      expect((await apiPods()).map((p) => p.metadata.name).sort()).toEqual([...before].sort());
      expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
      expect(load.fewest).toBeGreaterThanOrEqual(desired());
    });

    it("keeps the old pods serving when the new image's migration fails, with the migration's log line as the termination message", async () => {
      afterUp();
      const d = await diff({ image: e2e.images.appBadMigration });
      const before = (await apiPods()).map((p) => p.metadata.name);
      let messages: string[] = [];
      let explanation = { lines: [] as string[], text: "", secrets: [] as string[] };
      const load = await underLoad("failing migration", async () => {
        await apply(d.created, path.join(work(), "bad-migration-created.yaml"));
        const job = d.created.find((o) => o.kind === "Job") as KObject;
        const failed = await waitJob(job, "Failed");
        figure(stack, `failing migration: Job ${failed.conditions?.join(", ") ?? ""}`);
        const pods = (await list<Pod>(`${collection("v1", "pods", namespace)}?labelSelector=${encodeURIComponent(`job-name=${job.metadata.name}`)}`)).items;
        messages = pods.map((p) => p.status?.containerStatuses?.[0]?.state?.terminated?.message?.trim() ?? "");
        explanation = await explained("failing migration", "migration-failed", `job-name=${job.metadata.name}`, [
          new RegExp(`Job ${namespace}/${job.metadata.name}: (\\d) of \\1 pods failing\n  pod \\S+ \\(Failed, 0 restarts\\)\n    container migrate: terminated: Error, exit code 1; its message:\n {6}.*"msg":"migration failed".*division by zero`),
          /\n {4}last log lines of migrate:\n/,
        ]);
        // `pulumi up` stops here: the Deployment is not updated. The failed Job is what it leaves.
        await remove([job]);
      });
      expectExplanationSafe(explanation);
      figure(stack, `failing migration: ${messages.length} pods, termination messages: ${messages.join(" | ")}`);
      expect(messages.length).toBeGreaterThanOrEqual(1);
      for (const m of messages) {
        expect(m).toMatch(/"msg":"migration failed".*division by zero/);
      }
      expect((await apiPods()).map((p) => p.metadata.name).sort()).toEqual([...before].sort());
      expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
      expect(load.fewest).toBeGreaterThanOrEqual(desired());
    });
  });
}
