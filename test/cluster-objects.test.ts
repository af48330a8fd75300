// The manifest writer of the cluster checks: auto-named objects under the
// name the provider gives them, and nothing skipped.
import type { Declared } from "./helpers/mocks";
import { objectsOf } from "./cluster/objects";

const declared = (type: string, name: string, inputs: Record<string, unknown>, state = inputs): Declared => ({ type, name, inputs, state, custom: true });
const namespaced = (name?: string) => ({ ...(name === undefined ? {} : { name }), namespace: "goapi" });
const configMap = (state?: string) =>
  declared("kubernetes:core/v1:ConfigMap", "goapi", { apiVersion: "v1", kind: "ConfigMap", metadata: namespaced(), data: { A: "1" } }, { metadata: namespaced(state) });

describe("objectsOf", () => {
  it("gives an object without metadata.name the name the provider answered with, and applies namespaces first", () => {
    const ns = declared("kubernetes:core/v1:Namespace", "goapi", { apiVersion: "v1", kind: "Namespace", metadata: { name: "goapi" } });
    const objects = objectsOf([configMap("goapi-0badc0de"), ns]);
    expect(objects.map((o) => `${o.object.kind} ${o.object.metadata.name}`)).toEqual(["Namespace goapi", "ConfigMap goapi-0badc0de"]);
  });

  it("refuses an object that has no name at all", () => {
    expect(() => objectsOf([configMap()])).toThrow("kubernetes:core/v1:ConfigMap goapi: no metadata.name, neither declared nor given");
  });

  it("refuses what is not a plain object instead of skipping it", () => {
    const release = declared("kubernetes:helm.sh/v3:Release", "db", { chart: "postgresql" });
    expect(() => objectsOf([release])).toThrow(/kubernetes:helm\.sh\/v3:Release db: not a plain Kubernetes object/);
  });

  it("applies kinds it has never seen, with their secrets revealed, and only Kubernetes objects", () => {
    const statefulSet = declared("kubernetes:apps/v1:StatefulSet", "db", { apiVersion: "apps/v1", kind: "StatefulSet", metadata: namespaced("db") });
    const secret = declared("kubernetes:core/v1:Secret", "db", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: namespaced("db"),
      stringData: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { PASSWORD: "p" } },
    });
    const other = declared("random:index/randomPassword:RandomPassword", "t", {});
    expect(objectsOf([statefulSet, secret, other]).map((o) => [o.object.kind, o.object.stringData])).toEqual([
      ["StatefulSet", undefined],
      ["Secret", { PASSWORD: "p" }],
    ]);
  });
});
