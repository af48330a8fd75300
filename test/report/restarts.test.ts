// Which changes restart pods, for every kind of workload: built from preview
// steps as the engine reports them, one condition at a time.
import { changesOf } from "../../report/changes";
import type { PreviewStep } from "../../report/preview";
import { restartsOf } from "../../report/restarts";

const workloads = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:core/v1:ReplicationController",
];

function step(type: string, op: string, fields: string[] | undefined, change: Partial<PreviewStep> = {}): PreviewStep {
  return {
    op,
    urn: `urn:pulumi:dev::goapi::goapi:index:ApiService$${type}::goapi`,
    detailedDiff: fields === undefined ? undefined : Object.fromEntries(fields.map((f) => [f, { kind: op === "replace" ? "update-replace" : "update" }])),
    ...change,
  };
}

/** [why, fields] of each restart the report finds in `steps`. */
const restarts = (...steps: PreviewStep[]) => restartsOf(changesOf({ steps })).map((r) => [r.why, r.fields]);

describe("restartsOf", () => {
  it.each(workloads)("rolls the pods of a %s whose pod template changes, its metadata included", (type) => {
    expect(restarts(step(type, "update", ["spec.template.spec.containers[0].image"]))).toEqual([["template", ["spec.template.spec.containers[0].image"]]]);
    expect(restarts(step(type, "update", ["spec.template.metadata.annotations.checksum", "spec.template.metadata.labels.tier"]))).toEqual([
      ["template", ["spec.template.metadata.annotations.checksum", "spec.template.metadata.labels.tier"]],
    ]);
  });

  it.each(workloads)("recreates the pods of a %s that is replaced", (type) => {
    expect(restarts(step(type, "replace", ["spec.selector"]))).toEqual([["replaced", []]]);
  });

  it.each(workloads)("leaves the pods of a %s alone when only its own fields change", (type) => {
    expect(restarts(step(type, "update", ["metadata.labels.tier", "spec.replicas", "spec.revisionHistoryLimit"]))).toEqual([]);
  });

  it.each(workloads)("says a %s's pods may roll when its spec changes as a whole, with no diff of its fields", (type) => {
    expect(restarts(step(type, "update", undefined, { diffReasons: ["spec"] }))).toEqual([["maybe", ["spec"]]]);
    expect(restarts(step(type, "update", undefined, { diffReasons: ["metadata"] }))).toEqual([]);
    expect(restarts(step(type, "update", ["spec"]))).toEqual([["maybe", ["spec"]]]);
  });

  it("restarts a bare Pod on any change of its spec, and on its replacement", () => {
    const pod = "kubernetes:core/v1:Pod";
    expect(restarts(step(pod, "update", ["spec.containers[0].image"]))).toEqual([["template", ["spec.containers[0].image"]]]);
    expect(restarts(step(pod, "update", ["metadata.annotations.note"]))).toEqual([]);
    expect(restarts(step(pod, "replace", ["spec.containers[0].image"]))).toEqual([["replaced", []]]);
  });

  it("keeps only the template's fields of a change", () => {
    expect(restarts(step(workloads[0] ?? "", "update", ["metadata.labels.tier", "spec.template.spec.containers[0].image"]))).toEqual([
      ["template", ["spec.template.spec.containers[0].image"]],
    ]);
  });

  it("restarts nothing on creates, deletes, unchanged steps and kinds that run no pods of their own now", () => {
    const image = ["spec.template.spec.containers[0].image"];
    expect(restarts(step(workloads[0] ?? "", "create", image), step(workloads[1] ?? "", "delete", image), step(workloads[2] ?? "", "same", image))).toEqual([]);
    // A CronJob's template changes only its future runs; a Job's template cannot change in place.
    expect(restarts(step("kubernetes:batch/v1:CronJob", "update", ["spec.jobTemplate.spec.template.spec.containers[0].image"]))).toEqual([]);
    expect(restarts(step("kubernetes:batch/v1:Job", "update", image))).toEqual([]);
    expect(restarts(step("kubernetes:core/v1:ConfigMap", "replace", ["data.LOG_LEVEL"]))).toEqual([]);
  });
});
