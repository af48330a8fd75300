// What the report finds in each recorded preview of this program.
import { summaryLine } from "../../report/counts";
import { recordedImage, reportOf } from "../helpers/previews";

const ops = (r: ReturnType<typeof reportOf>) => r.changes.map((c) => `${c.op} ${c.kind}`);

describe("the change report of a recorded preview", () => {
  it("create: every object is new; nothing is deleted and no running pod restarts", () => {
    const r = reportOf("create");
    expect(summaryLine(r.counts)).toBe("13 to create");
    expect(r.changes).toHaveLength(13);
    expect(r.destructive).toEqual([]);
    expect(r.restarts).toEqual([]);
    expect(r.images.map((i) => [i.change.kind, i.container, i.from, i.to])).toEqual([["Deployment", "api", undefined, recordedImage("1.0.0")]]);
  });

  it("update (autoscaling.maxReplicas 3 -> 5): the HPA alone, in place", () => {
    const r = reportOf("update");
    expect(summaryLine(r.counts)).toBe("1 to update, 12 unchanged");
    expect(r.changes.map((c) => [c.op, c.kind, c.fields])).toEqual([["update", "HorizontalPodAutoscaler", ["spec.maxReplicas"]]]);
    expect([r.destructive, r.restarts, r.images]).toEqual([[], [], []]);
  });

  it("config change (app.logLevel): a new ConfigMap replaces the old one and the Deployment rolls onto it", () => {
    const r = reportOf("config-change");
    expect(summaryLine(r.counts)).toBe("1 to replace, 1 to update, 11 unchanged");
    expect(r.destructive.map((c) => [c.op, c.kind, c.replaceFields])).toEqual([["replace", "ConfigMap", ["data.LOG_LEVEL"]]]);
    expect(r.restarts.map((x) => [x.change.kind, x.why, x.fields])).toEqual([
      ["Deployment", "template", ["spec.template.spec.containers[0].envFrom[0].configMapRef.name"]],
    ]);
    expect(ops(r)).toEqual(["replace ConfigMap", "update Deployment"]);
  });

  it("secret change (apiToken): the Secret is replaced, the Deployment rolls, and no value shows", () => {
    const r = reportOf("secret-change");
    expect(r.destructive.map((c) => [c.op, c.kind, c.replaceFields])).toEqual([["replace", "Secret", ["data.API_TOKEN"]]]);
    expect(r.restarts.map((x) => x.fields)).toEqual([["spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name"]]);
  });

  it("image change (image.ref): the Deployment's pods roll from the old digest to the new one", () => {
    const r = reportOf("image-change");
    expect(summaryLine(r.counts)).toBe("1 to update, 12 unchanged");
    expect(r.images.map((i) => [i.change.kind, i.container, i.from, i.to])).toEqual([["Deployment", "api", recordedImage("1.0.0"), recordedImage("1.1.0")]]);
    expect(r.restarts.map((x) => x.fields)).toEqual([["spec.template.spec.containers[0].image"]]);
    expect(r.destructive).toEqual([]);
  });

  it("delete (autoscaling.minReplicas 2 -> 1): the PodDisruptionBudget goes, and comes first", () => {
    const r = reportOf("delete");
    expect(summaryLine(r.counts)).toBe("1 to delete, 2 to update, 11 unchanged");
    expect(r.destructive.map((c) => `${c.op} ${c.kind}`)).toEqual(["delete PodDisruptionBudget"]);
    expect(ops(r)[0]).toBe("delete PodDisruptionBudget");
    expect(r.restarts).toEqual([]);
  });

  it("error (a misspelt key): the program's message, nothing planned", () => {
    const r = reportOf("error");
    expect(r.errors.map((e) => e.message)).toEqual([
      "error: Stack 'dev' has invalid configuration (nothing was changed):\n  goapi:autoscaling.maxReplica: is not a setting of this program (a typo?)\n",
    ]);
    expect(r.changes).toEqual([]);
  });

  it("policy violations (a deliberately broken program): each finding with its rule, level and resource", () => {
    const r = reportOf("policy-violation");
    expect(r.policy?.packs).toEqual({ goapi: "0.1.0" });
    expect(r.policy?.rules).toHaveLength(12);
    expect(r.policy?.mandatory.map((v) => [v.policy, v.urn.split("::").pop(), v.message])).toEqual([
      ["no-loadbalancer-service", "goapi", "spec.type is LoadBalancer: expose the API through the Ingress and keep the Service ClusterIP"],
      ["pod-security-restricted", "goapi", 'container "api": readOnlyRootFilesystem must be true'],
      [
        "hpa-owns-replicas",
        "goapi",
        'spec.replicas is 1 but HorizontalPodAutoscaler "goapi" scales this Deployment: leave replicas unset, or add ignoreChanges: ["spec.replicas"] so only the first rollout uses it',
      ],
    ]);
    expect(r.policy?.advisory.map((v) => [v.policy, v.message])).toEqual([["probes-configured", 'container "api": no livenessProbe']]);
    expect(r.errors.map((e) => e.message)).toEqual(["error: preview failed\n"]);
  });

  it("says when the policy pack found nothing", () => {
    const r = reportOf("config-change");
    expect([r.policy?.mandatory, r.policy?.advisory]).toEqual([[], []]);
    expect(r.policy?.rules).toContain("pod-security-restricted");
  });
});
