// The readers every rule shares: where each workload keeps its pods, how a
// URN splits, and that odd inputs read as absent instead of throwing.
import { containersOf, kindOf, metadataOf, podSpecOf, specOf } from "../../policy/rules/kubernetes";
import { parseUrn, stackOf } from "../../policy/urn";

const pod = { containers: [{ name: "api" }] };

describe("podSpecOf", () => {
  it.each([
    ["kubernetes:core/v1:Pod", { spec: pod }],
    ["kubernetes:core/v1:ReplicationController", { spec: { template: { spec: pod } } }],
    ["kubernetes:apps/v1:Deployment", { spec: { template: { spec: pod } } }],
    ["kubernetes:apps/v1:StatefulSet", { spec: { template: { spec: pod } } }],
    ["kubernetes:apps/v1:DaemonSet", { spec: { template: { spec: pod } } }],
    ["kubernetes:apps/v1:ReplicaSet", { spec: { template: { spec: pod } } }],
    ["kubernetes:batch/v1:Job", { spec: { template: { spec: pod } } }],
    ["kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } }],
  ])("finds the pods of a %s", (type, props) => {
    expect(podSpecOf(type, props)).toBe(pod);
  });

  it("finds none in objects that run no pods, or where the path does not hold an object", () => {
    expect(podSpecOf("kubernetes:core/v1:Service", { spec: pod })).toBeUndefined();
    expect(podSpecOf("kubernetes:batch/v1:CronJob", { spec: { template: { spec: pod } } })).toBeUndefined();
    expect(podSpecOf("kubernetes:apps/v1:Deployment", { spec: { template: null } })).toBeUndefined();
    expect(podSpecOf("kubernetes:apps/v1:Deployment", { spec: { template: { spec: "pod" } } })).toBeUndefined();
    expect(podSpecOf("kubernetes:apps/v1:Deployment", { spec: "template" })).toBeUndefined();
  });
});

describe("the other readers", () => {
  it("read the kind of Kubernetes types only", () => {
    expect(kindOf("kubernetes:apps/v1:Deployment")).toBe("Deployment");
    expect(kindOf("kubernetes:core/v1")).toBe("");
    expect(kindOf("random:index/randomPassword:RandomPassword")).toBe("");
  });

  it("read metadata and spec as empty where they are missing or not objects", () => {
    expect(metadataOf({ metadata: { name: "x" } })).toEqual({ name: "x" });
    expect(metadataOf({ metadata: null })).toEqual({});
    expect(specOf({ spec: "x" })).toEqual({});
    expect(specOf({})).toEqual({});
  });

  it("list init containers before the others", () => {
    expect(containersOf({ containers: [{ name: "a" }], initContainers: [{ name: "i" }] }).map((c) => c.name)).toEqual(["i", "a"]);
    expect(containersOf({})).toEqual([]);
  });
});

describe("parseUrn", () => {
  it("splits stack, project, type, parent types and a name that holds ::", () => {
    expect(parseUrn("urn:pulumi:prod-eu::goapi::goapi:index:ApiService$kubernetes:apps/v1:Deployment::goapi::x")).toEqual({
      stack: "prod-eu",
      project: "goapi",
      type: "kubernetes:apps/v1:Deployment",
      parentTypes: ["goapi:index:ApiService"],
      name: "goapi::x",
    });
    expect(parseUrn("urn:pulumi:dev::goapi::pulumi:pulumi:Stack::goapi-dev")?.parentTypes).toEqual([]);
  });

  it("gives nothing for what is not a URN, and stackOf an empty stack", () => {
    expect(parseUrn("goapi")).toBeUndefined();
    expect(parseUrn("xurn:pulumi:dev::goapi::t::n")).toBeUndefined();
    expect(stackOf("goapi")).toBe("");
    expect(stackOf("urn:pulumi:dev::goapi::t::n")).toBe("dev");
  });
});
