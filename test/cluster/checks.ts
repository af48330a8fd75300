// What a real control plane says about a stack's objects: accepted under
// strict validation, admitted under PodSecurity, rolled out, served, scaled,
// protected, rolled again on a config change, and gone with the namespace.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { StackRun } from "../helpers/stack";
import { declare } from "./declared";
import { collection, get, KObject, kubectl, list, pathOf, request, watchSet } from "./kube";
import { Applied, idOf, objectsOf } from "./objects";
import { eventually } from "./poll";

/** Deadline for anything the control plane does on its own; a passing run takes a few seconds. */
const patience = 90;
const fieldManager = "goapi-cluster-checks";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface Workload extends KObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { spec: PodSpec } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    succeeded?: number;
    conditions?: Condition[];
  };
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  volumes?: Record<string, unknown>[];
  containers: { name: string; securityContext?: Record<string, unknown>; envFrom?: { configMapRef?: { name: string } }[] }[];
}
interface Pod extends KObject {
  spec: PodSpec;
  status?: { phase?: string; podIP?: string; conditions?: Condition[] };
}
interface EndpointSlice extends KObject {
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { kind: string; name: string } }[];
  ports?: { name?: string; port?: number }[];
}
interface Hpa extends KObject {
  spec: { minReplicas?: number; scaleTargetRef: { kind: string; name: string } };
  status?: { currentReplicas?: number; conditions?: Condition[] };
}
interface Pdb extends KObject {
  spec: { maxUnavailable?: number | string; minAvailable?: number | string };
  status?: { observedGeneration?: number; expectedPods?: number; currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number };
}

// A failure condition carries its message (say, PodSecurity's refusal of the pods).
const conditionsOf = (conditions?: Condition[]) =>
  (conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ""}${c.type.endsWith("Failure") && c.message ? `: ${c.message}` : ""}`);
const isTrue = (conditions: Condition[] | undefined, type: string) => conditions?.some((c) => c.type === type && c.status === "True") ?? false;
const selectorOf = (labels: Record<string, string>) => encodeURIComponent(Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(","));
const readyPods = (pods: Iterable<Pod>) =>
  [...pods].filter((p) => !p.metadata.deletionTimestamp && isTrue(p.status?.conditions, "Ready")).map((p) => p.metadata.name).sort();
const readyEndpoints = (slices: Iterable<EndpointSlice>) =>
  [...new Set([...slices].flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.targetRef?.name ?? "?")))].sort();

/** Server-side apply with strict field validation, as the file kubectl would get; returns what the server accepted. */
export async function apply(objects: Applied[], file: string): Promise<KObject[]> {
  fs.writeFileSync(file, objects.map((a) => stringify(a.object)).join("---\n"), { mode: 0o600 });
  const res = await kubectl(["apply", "--server-side", `--field-manager=${fieldManager}`, "--validate=strict", "--output=json", "--filename", file]);
  if (res.code !== 0) {
    throw new Error(`kubectl apply --server-side --validate=strict refused ${file}:\n${res.stderr}`);
  }
  const out = JSON.parse(res.stdout) as KObject;
  return out.kind === "List" ? (out.items as KObject[]) : [out];
}

/**
 * The loopback cluster has no volume provisioner: a PersistentVolume for each
 * claim a StatefulSet will make, bound to that claim in advance, as a
 * provisioner would. hostPath, which the fake node never touches.
 */
function volumesFor(objects: Applied[]): KObject[] {
  interface Claim {
    metadata: { name: string };
    spec: { accessModes?: string[]; storageClassName?: string; resources: { requests: { storage: string } } };
  }
  return objects
    .filter((a) => a.object.kind === "StatefulSet")
    .flatMap(({ object }) => {
      const spec = object.spec as { replicas?: number; volumeClaimTemplates?: Claim[] };
      const namespace = object.metadata.namespace ?? "default";
      return Array.from({ length: spec.replicas ?? 1 }, (_, i) => i).flatMap((ordinal) =>
        (spec.volumeClaimTemplates ?? []).map((t): KObject => {
          const claim = `${t.metadata.name}-${object.metadata.name}-${ordinal}`;
          return {
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: `${namespace}-${claim}`, labels: { "app.kubernetes.io/managed-by": fieldManager } },
            spec: {
              capacity: { storage: t.spec.resources.requests.storage },
              accessModes: t.spec.accessModes,
              storageClassName: t.spec.storageClassName ?? "",
              persistentVolumeReclaimPolicy: "Retain",
              claimRef: { namespace, name: claim },
              hostPath: { path: `/var/lib/goapi-cluster-checks/${namespace}/${claim}` },
            },
          };
        }),
      );
    });
}

/**
 * v as the API server stores it: an empty list (a NetworkPolicy's `egress: []`)
 * is omitted, which means the same (with the policy type listed, nothing is allowed).
 */
function withoutEmptyLists(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(withoutEmptyLists);
  }
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => !(Array.isArray(x) && x.length === 0)).map(([k, x]) => [k, withoutEmptyLists(x)]));
  }
  return v;
}

/**
 * A workload's pod as its controller creates it: a StatefulSet adds a volume
 * for each claim template (the claim of the pod's ordinal).
 */
function podOf(w: Workload): PodSpec {
  const spec = structuredClone(w.spec.template.spec);
  const claims = (w.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? [];
  spec.volumes = [
    ...(spec.volumes ?? []),
    ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${w.metadata.name}-0` } })),
  ];
  return spec;
}

/** Every check, in the order a rollout happens, for one stack. */
export function describeClusterChecks(stack: string, expected: { disruptionBudget: boolean; overrides?: Record<string, unknown> }): void {
  let run: StackRun;
  let objects: Applied[] = [];
  let work: string;
  // The checks after the first rollout need it; without it they fail at once
  // rather than each waiting out its deadline.
  let rolledOut = false;
  const afterRollout = () => {
    if (!rolledOut) {
      throw new Error("not checked: the Deployment never became Available (see that check)");
    }
  };
  const one = (kind: string): KObject => {
    const found = objects.filter((a) => a.object.kind === kind);
    if (found.length !== 1) {
      throw new Error(`expected one ${kind} among the applied objects, found ${found.length}`);
    }
    return (found[0] as Applied).object;
  };
  // Our API: the Deployment, Service and namespace the program exports.
  const api = () => {
    const deployment = objects.find((a) => a.object.kind === "Deployment" && a.object.metadata.name === run.outputs.deploymentName)?.object as Workload | undefined;
    if (!deployment) {
      throw new Error(`no Deployment ${String(run.outputs.deploymentName)} was applied`);
    }
    const hpa = one("HorizontalPodAutoscaler") as Hpa;
    return {
      namespace: String(run.outputs.namespace),
      deployment,
      service: String(run.outputs.serviceName),
      minReplicas: hpa.spec.minReplicas ?? 1,
      selector: selectorOf(deployment.spec.selector.matchLabels),
    };
  };
  const podsPath = () => `${collection("v1", "pods", api().namespace)}?labelSelector=${api().selector}`;
  const slicesPath = () =>
    `${collection("discovery.k8s.io/v1", "endpointslices", api().namespace)}?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${api().service}`)}`;

  let volumes: KObject[] = [];
  const workloads = () => objects.filter((a) => ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(a.object.kind)).map((a) => a.object as Workload);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), `goapi-${stack}-`));
    run = await declare(stack, undefined, expected.overrides);
    objects = objectsOf(run.declared);
    volumes = volumesFor(objects);
    if (volumes.length > 0) {
      await apply(volumes.map((object) => ({ resource: object.metadata.name, object })), path.join(work, "volumes.yaml"));
    }
  });

  afterAll(async () => {
    // A failed run still hands the next stack an empty cluster.
    const ns = objects.find((a) => a.object.kind === "Namespace")?.object;
    if (ns && (await request("GET", await pathOf(ns))).status !== 404) {
      await kubectl(["delete", "namespace", ns.metadata.name, "--wait=true", `--timeout=${patience}s`]);
    }
    for (const v of volumes) {
      await kubectl(["delete", "persistentvolume", v.metadata.name, "--ignore-not-found", "--wait=false"]);
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe(`the ${stack} stack on a real control plane`, () => {
    it("accepts every declared object under server-side apply with strict field validation", async () => {
      const accepted = await apply(objects, path.join(work, "objects.yaml"));
      // Held against the declarations themselves, so that nothing declared can go unapplied.
      const declaredNames = run.declared
        .filter((d) => d.type.startsWith("kubernetes:"))
        .map((d) => {
          const name = (d.inputs.metadata as { name?: unknown } | undefined)?.name;
          return `${d.type.split(":")[2] ?? d.type} ${typeof name === "string" ? name : `${d.name}-<generated>`}`;
        });
      const acceptedNames = accepted.map((o) => {
        const generated = !declaredNames.includes(`${o.kind} ${o.metadata.name}`) && /-[0-9a-f]{8}$/.test(o.metadata.name);
        return `${o.kind} ${generated ? `${o.metadata.name.slice(0, -9)}-<generated>` : o.metadata.name}`;
      });
      expect(acceptedNames.sort()).toEqual(declaredNames.sort());
      for (const a of objects) {
        expect((await request("GET", await pathOf(a.object))).status).toBe(200);
      }
    });

    it("refuses a misspelt field, so the check above can fail", async () => {
      const deployment = structuredClone(api().deployment) as KObject & { spec: Record<string, unknown> };
      deployment.spec.replica = 1;
      const file = path.join(work, "misspelt.yaml");
      fs.writeFileSync(file, stringify(deployment));
      const res = await kubectl(["apply", "--server-side", `--field-manager=${fieldManager}`, "--validate=strict", "--dry-run=server", "--filename", file]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/\.spec\.replica: field not declared in schema/);
    });

    it("enforces PodSecurity restricted: every workload's pod is admitted, the API's pod as root is refused", async () => {
      const { namespace, deployment } = api();
      const ns = await get(collection("v1", "namespaces") + `/${namespace}`);
      expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
      const pod = (spec: PodSpec) => ({ apiVersion: "v1", kind: "Pod", metadata: { generateName: "podsecurity-" }, spec });
      // The API, its migration Job and a database of its own, if the stack has one.
      const admitted = [];
      for (const w of workloads()) {
        const ours = await request("POST", `${collection("v1", "pods", namespace)}?dryRun=All`, pod(podOf(w)));
        const message = (ours.body as { message?: string } | undefined)?.message;
        admitted.push({ workload: idOf(w), status: ours.status, warnings: ours.warnings, message: ours.status === 201 ? undefined : message });
      }
      expect(admitted).toEqual(workloads().map((w) => ({ workload: idOf(w), status: 201, warnings: [], message: undefined })));
      expect(admitted.map((a) => a.workload.split("/")[0])).toEqual(expect.arrayContaining(["Deployment", "Job"]));

      const root = structuredClone(deployment.spec.template.spec);
      root.securityContext = { ...root.securityContext, runAsUser: 0 };
      root.containers = root.containers.map((c) => ({ ...c, securityContext: { ...c.securityContext, runAsUser: 0 } }));
      const refused = await request("POST", `${collection("v1", "pods", namespace)}?dryRun=All`, pod(root));
      expect(refused.status).toBe(403);
      expect((refused.body as { message: string }).message).toMatch(/violates PodSecurity "restricted:[^"]+": .*runAsUser=0/);
    });

    it("keeps every NetworkPolicy as declared: nothing dropped or defaulted differently", async () => {
      const policies = objects.filter((a) => a.object.kind === "NetworkPolicy").map((a) => a.object);
      expect(policies.length).toBeGreaterThanOrEqual(2);
      for (const p of policies) {
        const served = await get(await pathOf(p));
        expect({ policy: idOf(p), spec: served.spec }).toEqual({ policy: idOf(p), spec: withoutEmptyLists(p.spec) });
      }
    });

    it("refuses a new image in the migration Job's pod template, which is why each image gets a Job of its own", async () => {
      const job = structuredClone(one("Job")) as KObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
      const container = job.spec.template.spec.containers[0];
      if (container === undefined) {
        throw new Error("the Job has no container");
      }
      container.image = container.image.replace(/@sha256:[0-9a-f]{64}$/, `@sha256:${"e".repeat(64)}`);
      const file = path.join(work, "job-new-image.yaml");
      fs.writeFileSync(file, stringify(job));
      const res = await kubectl(["apply", "--server-side", `--field-manager=${fieldManager}`, "--validate=strict", "--dry-run=server", "--filename", file]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/spec\.template: Invalid value:[\s\S]*field is immutable/);
    });

    it("makes the Deployment Available with minReplicas ready pods", async () => {
      const { deployment, minReplicas } = api();
      const seen = await eventually(`Deployment ${deployment.metadata.name} Available with ${minReplicas} ready pods`, patience, async () => {
        const d = await get<Workload>(await pathOf(deployment));
        const s = d.status ?? {};
        const counts = { replicas: d.spec.replicas, current: s.replicas, ready: s.readyReplicas, updated: s.updatedReplicas, available: s.availableReplicas };
        const done =
          (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
          Object.values(counts).every((n) => n === minReplicas) &&
          isTrue(s.conditions, "Available");
        return { done, seen: { ...counts, conditions: conditionsOf(s.conditions) } };
      });
      expect(seen.ready).toBe(minReplicas);
      const pods = (await list<Pod>(podsPath())).items;
      expect(readyPods(pods)).toHaveLength(minReplicas);
      rolledOut = true;
    });

    it("makes every other declared workload ready", async () => {
      afterRollout();
      // Under kwok a Job's pod runs nothing: kwok's pod-complete stage marks it Succeeded with exit 0.
      // What this shows is that the Job controller accepts the pod and reports the Job Complete,
      // the condition the Kubernetes provider awaits; not that a migration ran.
      for (const workload of workloads()) {
        await eventually(`${idOf(workload)} ready`, patience, async () => {
          const w = await get<Workload>(await pathOf(workload));
          const s = w.status ?? {};
          const done =
            w.kind === "Job"
              ? isTrue(s.conditions, "Complete")
              : (s.observedGeneration ?? 0) >= (w.metadata.generation ?? 1) && s.readyReplicas === (w.spec.replicas ?? 1) && s.updatedReplicas === s.readyReplicas;
          return { done, seen: { replicas: w.spec.replicas, ready: s.readyReplicas, succeeded: s.succeeded, conditions: conditionsOf(s.conditions) } };
        });
      }
    });

    it("lists exactly the ready pods in the Service's EndpointSlices, on the container ports", async () => {
      afterRollout();
      const { minReplicas } = api();
      const seen = await eventually("EndpointSlices listing the ready pods", patience, async () => {
        const pods = readyPods((await list<Pod>(podsPath())).items);
        const slices = (await list<EndpointSlice>(slicesPath())).items;
        const endpoints = readyEndpoints(slices);
        const ports = [...new Set(slices.flatMap((s) => (s.ports ?? []).map((p) => `${p.name ?? ""}:${p.port ?? 0}`)))].sort();
        return { done: pods.length === minReplicas && JSON.stringify(endpoints) === JSON.stringify(pods), seen: { pods, endpoints, ports } };
      });
      expect(seen.endpoints).toEqual(seen.pods);
      expect(seen.ports).toEqual(["http:8080", "metrics:9090"]);
    });

    it("lets the HPA resolve its target", async () => {
      const hpa = one("HorizontalPodAutoscaler") as Hpa;
      const { minReplicas } = api();
      const seen = await eventually(`HPA ${hpa.metadata.name} AbleToScale at ${minReplicas} replicas`, patience, async () => {
        const h = await get<Hpa>(await pathOf(hpa));
        const done = isTrue(h.status?.conditions, "AbleToScale") && h.status?.currentReplicas === minReplicas;
        return { done, seen: { current: h.status?.currentReplicas, conditions: conditionsOf(h.status?.conditions) } };
      });
      expect(seen.conditions).toContainEqual(expect.stringMatching(/^AbleToScale=True/));
      expect(seen.current).toBe(minReplicas);
    });

    if (expected.disruptionBudget) {
      it("lets the PodDisruptionBudget compute its allowed disruptions", async () => {
        afterRollout();
        const pdb = one("PodDisruptionBudget") as Pdb;
        const { minReplicas } = api();
        const { maxUnavailable, minAvailable } = pdb.spec;
        if (typeof maxUnavailable !== "number" && typeof minAvailable !== "number") {
          throw new Error("the check computes allowed disruptions for integer maxUnavailable or minAvailable only");
        }
        const allowed = typeof maxUnavailable === "number" ? maxUnavailable : minReplicas - (minAvailable as number);
        const seen = await eventually(`PDB ${pdb.metadata.name} status`, patience, async () => {
          const p = await get<Pdb>(await pathOf(pdb));
          const s = p.status ?? {};
          const done = (s.observedGeneration ?? 0) >= (p.metadata.generation ?? 1) && s.currentHealthy === minReplicas && s.disruptionsAllowed === allowed;
          return { done, seen: s };
        });
        expect(seen).toMatchObject({ expectedPods: minReplicas, currentHealthy: minReplicas, disruptionsAllowed: allowed });
      });
    } else {
      it("declares no PodDisruptionBudget", () => {
        expect(objects.filter((a) => a.object.kind === "PodDisruptionBudget")).toEqual([]);
      });
    }

    it("rolls a config change without the ready count ever dropping below the desired count", async () => {
      afterRollout();
      const { minReplicas, deployment } = api();
      // Every change to the pods or the Service's EndpointSlices, as the watches deliver them.
      const observations: { ms: number; pods: string[]; endpoints: string[] }[] = [];
      let pods = new Map<string, Pod>();
      let slices = new Map<string, EndpointSlice>();
      let watching = false;
      const start = Date.now();
      const observe = () => {
        if (watching) {
          observations.push({ ms: Date.now() - start, pods: readyPods(pods.values()), endpoints: readyEndpoints(slices.values()) });
        }
      };
      const watches = [
        await watchSet<Pod>(podsPath(), (items) => {
          pods = items;
          observe();
        }),
        await watchSet<EndpointSlice>(slicesPath(), (items) => {
          slices = items;
          observe();
        }),
      ];
      watching = true;
      observe();
      try {
        const before = objects;
        // A user changes goapi:app.logLevel and runs `pulumi up`.
        const changed = await declare(stack, (app) => ({ ...app, logLevel: app.logLevel === "warn" ? "info" : "warn" }), expected.overrides);
        const after = objectsOf(changed.declared);
        const has = (set: Applied[], o: KObject) => set.some((x) => idOf(x.object) === idOf(o));
        const created = after.filter((a) => !has(before, a.object));
        const updated = after.filter((a) => has(before, a.object) && JSON.stringify(a.object) !== JSON.stringify(before.find((b) => idOf(b.object) === idOf(a.object))?.object));
        const deleted = before.filter((b) => !has(after, b.object));
        // The new config comes as a new auto-named ConfigMap, the Deployment
        // is updated to it (not replaced), and the old ConfigMap goes.
        expect({
          created: created.map((a) => a.object.kind),
          updated: updated.map((a) => idOf(a.object)),
          deleted: deleted.map((a) => a.object.kind),
        }).toEqual({ created: ["ConfigMap"], updated: [idOf(deployment)], deleted: ["ConfigMap"] });

        // Pulumi's create-before-delete replacement: the new objects, then the
        // updates (the Deployment, awaited until rolled out), then the old objects go.
        await apply(created, path.join(work, "created.yaml"));
        await apply(updated, path.join(work, "updated.yaml"));
        objects = after;
        const newConfig = (api().deployment.spec.template.spec.containers[0]?.envFrom ?? []).map((e) => e.configMapRef?.name).filter(Boolean);
        const rolled = await eventually("the rollout of the changed config", patience, async () => {
          const d = await get<Workload>(await pathOf(api().deployment));
          const s = d.status ?? {};
          const current = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
          const onNewConfig = current.filter((p) => JSON.stringify(p.spec.containers[0]?.envFrom?.map((e) => e.configMapRef?.name).filter(Boolean)) === JSON.stringify(newConfig));
          const done =
            (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
            s.updatedReplicas === minReplicas &&
            s.readyReplicas === minReplicas &&
            s.replicas === minReplicas &&
            current.length === minReplicas &&
            onNewConfig.length === minReplicas &&
            readyPods(current).length === minReplicas;
          return { done, seen: { status: { replicas: s.replicas, updated: s.updatedReplicas, ready: s.readyReplicas }, pods: current.map((p) => p.metadata.name), onNewConfig: onNewConfig.length } };
        });
        const res = await kubectl(["delete", "--wait=true", "--filename=-"], deleted.map((d) => stringify(d.object)).join("---\n"));
        expect(res.stderr).toBe("");
        for (const w of watches) {
          expect(w.failure()).toBeUndefined();
        }
        const initial = observations[0]?.pods ?? [];
        const timeline = observations.map((o) => `${o.ms}ms pods=${o.pods.length} endpoints=${o.endpoints.length}`).join("\n");
        // Replaced, not restarted in place: none of the pods from before is left.
        expect(rolled.pods.filter((p) => initial.includes(p))).toEqual([]);
        expect(initial).toHaveLength(minReplicas);
        const fewest = (of: "pods" | "endpoints") => Math.min(...observations.map((o) => o[of].length));
        expect({ fewestReadyPods: fewest("pods"), fewestReadyEndpoints: fewest("endpoints"), timeline }).toEqual({
          fewestReadyPods: minReplicas,
          fewestReadyEndpoints: minReplicas,
          timeline,
        });
      } finally {
        watches.forEach((w) => {
          w.stop();
        });
      }
    });

    it("leaves nothing of ours once the namespace is deleted", async () => {
      const ns = one("Namespace");
      const res = await kubectl(["delete", "namespace", ns.metadata.name, "--wait=false"]);
      expect(res.code).toBe(0);
      await eventually(`namespace ${ns.metadata.name} gone`, patience, async () => {
        const r = await request("GET", await pathOf(ns));
        const status = (r.body as { status?: { phase?: string; conditions?: Condition[] } } | undefined)?.status;
        return { done: r.status === 404, seen: { http: r.status, phase: status?.phase, conditions: conditionsOf(status?.conditions) } };
      });
      const still = [];
      for (const a of objects) {
        if ((await request("GET", await pathOf(a.object))).status !== 404) {
          still.push(idOf(a.object));
        }
      }
      expect(still).toEqual([]);
      // Anything else, of any kind the server lists, in that namespace or with our instance label.
      const kinds = await kubectl(["api-resources", "--verbs=list", "--output=name"]);
      const everything = await kubectl(["get", kinds.stdout.trim().split("\n").join(","), "--all-namespaces", "--output=json"]);
      // Deprecation warnings for the legacy kinds listed are expected; nothing else.
      expect(everything.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("Warning: "))).toEqual([]);
      const instance = api().deployment.spec.selector.matchLabels["app.kubernetes.io/instance"];
      const items = (JSON.parse(everything.stdout) as { items: KObject[] }).items;
      const labelled = (o: KObject) => instance !== undefined && o.metadata.labels?.["app.kubernetes.io/instance"] === instance;
      // Checks of other stack files run beside this one on the same plane, each in a namespace of its own
      // with the same instance label: what lives in those is theirs.
      const others = new Set(items.filter((o) => o.kind === "Namespace" && labelled(o)).map((o) => o.metadata.name));
      const ours = items.filter(
        (o) => o.metadata.namespace === ns.metadata.name || (labelled(o) && !others.has(o.metadata.namespace ?? "") && !(o.kind === "Namespace" && others.has(o.metadata.name))),
      );
      expect(ours.map(idOf)).toEqual([]);
    });
  });
}
