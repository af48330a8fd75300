// A canary stack that scales on the request rate, on a real control plane
// with the CRDs pinned in scripts/cluster/versions.sh: the API server accepts
// the Flagger Canary and MetricTemplates, the internal users' HTTPRoute and
// the KEDA ScaledObject under strict field validation, keeps them as
// declared, and refuses a misspelt field or a kind the CRD does not allow, so
// the acceptance can fail. No controller runs here: what Flagger and KEDA do
// with them is for real pods (docs/delivery.md).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { StackRun } from "../helpers/stack";
import { apply } from "./checks";
import { declare } from "./declared";
import { get, KObject, kubectl, pathOf, request } from "./kube";
import { Applied, idOf, objectsOf } from "./objects";

const patience = 90;
const deliveryKinds = ["Canary", "MetricTemplate", "HTTPRoute", "ScaledObject"];

describe("a canary stack scaling on the request rate, on a real control plane", () => {
  let run: StackRun;
  let objects: Applied[] = [];
  let work: string;
  const ofKind = (kind: string) => objects.filter((a) => a.object.kind === kind).map((a) => a.object);
  const first = (kind: string): KObject => {
    const [found] = ofKind(kind);
    if (found === undefined) {
      throw new Error(`no ${kind} was declared`);
    }
    return found;
  };

  /** A server-side dry run of `object` with strict validation: the exit code and what kubectl said. */
  const dryRun = async (object: KObject, file: string) => {
    fs.writeFileSync(path.join(work, file), stringify(object));
    return kubectl(["apply", "--server-side", "--field-manager=goapi-cluster-checks", "--validate=strict", "--dry-run=server", "--filename", path.join(work, file)]);
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-delivery-"));
    run = await declare("prod", undefined, {
      namespace: "goapi-prod-canary",
      autoscaling: { minReplicas: 2, maxReplicas: 10, memoryUtilization: 80, metric: "requests", requestsPerSecond: 50 },
    });
    objects = objectsOf(run.declared);
  });

  afterAll(async () => {
    const ns = objects.find((a) => a.object.kind === "Namespace")?.object;
    if (ns && (await request("GET", await pathOf(ns))).status !== 404) {
      await kubectl(["delete", "namespace", ns.metadata.name, "--wait=true", `--timeout=${patience}s`]);
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("declares the canary's objects and a ScaledObject instead of an HPA", () => {
    expect(deliveryKinds.map((k) => [k, ofKind(k).length])).toEqual([
      ["Canary", 1],
      ["MetricTemplate", 2],
      ["HTTPRoute", 1],
      ["ScaledObject", 1],
    ]);
    expect(ofKind("HorizontalPodAutoscaler")).toEqual([]);
    expect(run.outputs.delivery).toMatchObject({ strategy: "canary", steps: [5, 20, 100] });
  });

  it("accepts every declared object under server-side apply with strict field validation, and keeps the delivery objects as declared", async () => {
    const accepted = await apply(objects, path.join(work, "objects.yaml"));
    expect(accepted.map(idOf).sort()).toEqual(objects.map((a) => idOf(a.object)).sort());
    for (const kind of deliveryKinds) {
      for (const declared of ofKind(kind)) {
        const served = await get(await pathOf(declared));
        // What the server adds are its CRD's defaults (a gatewayRef's group and kind); nothing declared is dropped or changed.
        expect({ object: idOf(declared), spec: served.spec }).toMatchObject({ object: idOf(declared), spec: declared.spec as Record<string, unknown> });
      }
    }
  });

  it.each([
    ["Canary", (o: KObject) => ((o.spec as { analysis: Record<string, unknown> }).analysis.stepWeigths = [5]), /spec\.analysis\.stepWeigths/],
    ["MetricTemplate", (o: KObject) => ((o.spec as Record<string, unknown>).querry = "up"), /spec\.querry/],
    ["ScaledObject", (o: KObject) => ((o.spec as Record<string, unknown>).maxReplicas = 3), /spec\.maxReplicas/],
    ["HTTPRoute", (o: KObject) => ((o.spec as Record<string, unknown>).hostname = "x.example.com"), /spec\.hostname/],
  ])("refuses a misspelt field in the %s, so the acceptance above can fail", async (kind, misspell, message) => {
    const object = structuredClone(first(kind));
    misspell(object);
    const res = await dryRun(object, `misspelt-${kind}.yaml`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });

  it("refuses a Canary whose scaler is of a kind Flagger does not copy", async () => {
    const canary = structuredClone(first("Canary")) as KObject & { spec: { autoscalerRef: { kind: string } } };
    canary.spec.autoscalerRef.kind = "VerticalPodAutoscaler";
    const res = await dryRun(canary, "canary-vpa.yaml");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/spec\.autoscalerRef\.kind: Unsupported value: "VerticalPodAutoscaler"/);
  });
});
