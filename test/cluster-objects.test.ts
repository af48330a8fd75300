// The manifest writer of the cluster checks: auto-names as the Kubernetes
// provider gives them, references that follow, and nothing skipped.
import type { Declared } from "./helpers/mocks";
import { objectsOf } from "./cluster/objects";

const meta = (name?: string) => ({ ...(name === undefined ? {} : { name }), namespace: "goapi", labels: { app: "goapi" } });
const configMap = (data: Record<string, string>, extra: Partial<Declared> = {}): Declared => ({
  type: "kubernetes:core/v1:ConfigMap",
  name: "goapi",
  inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: meta(), data },
  ...extra,
});
const secret: Declared = {
  type: "kubernetes:core/v1:Secret",
  name: "goapi",
  inputs: { apiVersion: "v1", kind: "Secret", metadata: meta(), stringData: { API_TOKEN: "t" } },
};
const deployment = (configMapName?: string, volumeSecret = "goapi-tls"): Declared => ({
  type: "kubernetes:apps/v1:Deployment",
  name: "goapi",
  inputs: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("goapi"),
    spec: {
      template: {
        spec: {
          containers: [{ name: "api", envFrom: [{ configMapRef: configMapName === undefined ? {} : { name: configMapName } }], env: [{ name: "API_TOKEN", valueFrom: { secretKeyRef: { key: "API_TOKEN" } } }] }],
          volumes: [{ name: "tls", secret: { secretName: volumeSecret } }],
        },
      },
    },
  },
});
const namespace: Declared = { type: "kubernetes:core/v1:Namespace", name: "goapi", inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "goapi" } } };

type Spec = { template: { spec: { containers: { envFrom: { configMapRef: { name: string } }[]; env: { valueFrom: { secretKeyRef: { name: string } } }[] }[]; volumes: { secret: { secretName: string } }[] } } };
const refs = (objects: ReturnType<typeof objectsOf>) => {
  const spec = objects.find((o) => o.object.kind === "Deployment")?.object.spec as Spec;
  const container = spec.template.spec.containers[0];
  return { configMap: container?.envFrom[0]?.configMapRef.name, secret: container?.env[0]?.valueFrom.secretKeyRef.name, volume: spec.template.spec.volumes[0]?.secret.secretName };
};
const nameOf = (objects: ReturnType<typeof objectsOf>, kind: string) => objects.find((o) => o.object.kind === kind)?.object.metadata.name;

describe("objectsOf", () => {
  it("names an object without a name <resource>-<8 hex> and points references at it, namespace first", () => {
    const objects = objectsOf([configMap({ A: "1" }), secret, deployment(), namespace]);
    expect(objects.map((o) => o.object.kind)).toEqual(["Namespace", "ConfigMap", "Secret", "Deployment"]);
    expect(nameOf(objects, "ConfigMap")).toMatch(/^goapi-[0-9a-f]{8}$/);
    expect(refs(objects)).toEqual({ configMap: nameOf(objects, "ConfigMap"), secret: nameOf(objects, "Secret"), volume: "goapi-tls" });
  });

  it("points a reference the mocks made up at the object's name, and takes the name the mocks answered with", () => {
    const answered = configMap({ A: "1" }, { state: { metadata: { name: "goapi-0badc0de" } } } as Partial<Declared>);
    expect(refs(objectsOf([answered, secret, deployment("goapi-0badc0de")])).configMap).toBe("goapi-0badc0de");
    const made = objectsOf([configMap({ A: "1" }), secret, deployment("goapi-12345678")]);
    expect(refs(made).configMap).toBe(nameOf(made, "ConfigMap"));
  });

  it("keeps an unchanged object's name and gives a changed ConfigMap a new one, as a replacement does", () => {
    const before = objectsOf([configMap({ LOG_LEVEL: "info" }), secret, deployment()]);
    const after = objectsOf([configMap({ LOG_LEVEL: "warn" }), secret, deployment()], before);
    expect(nameOf(after, "Secret")).toBe(nameOf(before, "Secret"));
    expect(nameOf(after, "ConfigMap")).not.toBe(nameOf(before, "ConfigMap"));
    expect(refs(after).configMap).toBe(nameOf(after, "ConfigMap"));
    expect(nameOf(objectsOf([configMap({ LOG_LEVEL: "info" })], before), "ConfigMap")).toBe(nameOf(before, "ConfigMap"));
  });

  it("refuses what is not a plain object instead of skipping it", () => {
    const release: Declared = { type: "kubernetes:helm.sh/v3:Release", name: "db", inputs: { chart: "postgresql" } };
    expect(() => objectsOf([release])).toThrow(/kubernetes:helm\.sh\/v3:Release db: not a plain Kubernetes object/);
  });

  it("applies kinds it has never seen, and only Kubernetes objects", () => {
    const statefulSet: Declared = { type: "kubernetes:apps/v1:StatefulSet", name: "db", inputs: { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta("db") } };
    const other: Declared = { type: "random:index/randomPassword:RandomPassword", name: "t", inputs: {} };
    expect(objectsOf([statefulSet, other]).map((o) => o.object.kind)).toEqual(["StatefulSet"]);
  });
});
