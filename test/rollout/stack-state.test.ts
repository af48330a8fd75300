import { readStackState } from "../../rollout/stack-state";
import { secrets, stateText } from "./fixtures";

describe("readStackState", () => {
  const state = readStackState(stateText);

  it("finds the Deployment, the StatefulSet and the migration Job with their selectors, not a resource pending deletion", () => {
    expect(state.workloads).toEqual([
      { kind: "StatefulSet", namespace: "goapi", name: "goapi-db", selector: "app.kubernetes.io/name=goapi,app.kubernetes.io/instance=goapi-db-local" },
      { kind: "Job", namespace: "goapi", name: "goapi-migrate-4e1b2c3d", selector: "batch.kubernetes.io/controller-uid=d1e2f3a4-0000-4000-8000-00000000beef" },
      { kind: "Deployment", namespace: "goapi", name: "goapi-6d9f7c9b", selector: "app.kubernetes.io/name=goapi,app.kubernetes.io/instance=goapi-local" },
    ]);
  });

  it("takes the context and kubeconfig of the workloads' provider, a secret kubeconfig unwrapped", () => {
    expect(state.cluster).toEqual({ context: "kind-goapi", kubeconfig: "/home/user/.kube/config" });
  });

  it("collects every secret value: outputs, inputs, and a Secret's data decoded", () => {
    expect(state.secrets).toEqual(expect.arrayContaining([secrets.token, secrets.databaseUrl, secrets.password]));
    expect(state.secrets).not.toContain("goapi");
    expect(state.secrets).not.toContain("kind-goapi");
  });

  it("skips workloads whose object was never created (no name or selector in the state)", () => {
    const json = JSON.parse(stateText) as { deployment: { resources: { type: string; outputs: Record<string, unknown> }[] } };
    for (const r of json.deployment.resources) {
      if (r.type === "kubernetes:batch/v1:Job") {
        r.outputs = {};
      }
    }
    expect(readStackState(JSON.stringify(json)).workloads.map((w) => w.kind)).toEqual(["StatefulSet", "Deployment"]);
  });

  it("refuses what is not a state export, saying so", () => {
    expect(() => readStackState("error: no stack")).toThrow("not JSON");
    expect(() => readStackState("{}")).toThrow("not a pulumi stack export");
  });

  it("reads an export without --show-secrets (no secret known) and an empty stack", () => {
    const hidden = stateText.replace(/"plaintext": "(?:[^"\\]|\\.)*"/g, '"ciphertext": "v1:x"');
    const state2 = readStackState(hidden);
    expect(state2.secrets).not.toContain(secrets.token);
    expect(state2.workloads).toHaveLength(3);
    expect(readStackState('{"version":3,"deployment":{}}')).toEqual({ workloads: [], canaries: [], cluster: {}, secrets: [] });
  });
});
