// The policy pack's glue: our rules as CrossGuard policies, called the way the
// analyzer calls them (without starting the pack's gRPC server).
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { subjectOf, toPolicies } from "../../policy/adapter";
import { rules } from "../../policy/rules";
import type { Subject } from "../../policy/rules";
import { container, deployment, hpa, podSpec } from "./objects";

const unused = (): never => {
  throw new Error("not used by our rules");
};

function resourceArgs(s: Subject): ResourceValidationArgs {
  return {
    type: s.type,
    props: s.props,
    urn: s.urn,
    name: s.name,
    opts: { protect: false, ignoreChanges: s.ignoreChanges ?? [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    provider: s.provider === undefined ? undefined : { type: "pulumi:providers:kubernetes", props: {}, urn: s.provider, name: "cluster" },
    stackTags: new Map(),
    isType: unused,
    asType: unused,
    getConfig: unused,
    notApplicable: unused,
  };
}

function stackResource(s: Subject, outputs: Record<string, unknown>): PolicyResource {
  return { ...resourceArgs(s), props: outputs, dependencies: [], propertyDependencies: {} };
}

function stackArgs(resources: PolicyResource[]): StackValidationArgs {
  return { resources, stackTags: new Map(), getConfig: unused, notApplicable: unused };
}

/** One policy of a pack instance (a stack policy keeps state between calls, as in the analyzer process). */
function policy(name: string, pack = toPolicies(rules)) {
  const p = pack.find((x) => x.name === name);
  if (!p) {
    throw new Error(`no policy ${name}`);
  }
  return p as Partial<ResourceValidationPolicy & StackValidationPolicy>;
}

/** Runs a policy's resource validations as the analyzer does. */
async function validate(p: Partial<ResourceValidationPolicy>, s: Subject, report: ReportViolation = () => undefined): Promise<void> {
  const v = p.validateResource;
  for (const validation of Array.isArray(v) ? v : v ? [v] : []) {
    await validation(resourceArgs(s), report);
  }
}

function recorder(): { report: ReportViolation; seen: { message: string; urn?: string }[] } {
  const seen: { message: string; urn?: string }[] = [];
  return { seen, report: (message, urn) => seen.push({ message, urn }) };
}

describe("the policy pack", () => {
  it("offers every rule, with its description and enforcement level", () => {
    expect(toPolicies(rules).map((p) => [p.name, p.description, p.enforcementLevel])).toEqual(rules.map((r) => [r.name, r.description, r.enforcementLevel]));
  });

  it("reports each problem a resource rule finds on the resource", async () => {
    const broken = deployment(podSpec([container({ image: "goapi:latest" })]));
    const { report, seen } = recorder();
    await validate(policy("image-pinned-by-digest"), broken, report);
    expect(seen).toEqual([{ message: 'container "api": image "goapi:latest" is not pinned by digest (<repository>@sha256:<64 hex>)', urn: undefined }]);
  });

  it("passes the provider's URN to the rules", () => {
    expect(subjectOf(resourceArgs(deployment())).provider).toBe(deployment().provider);
  });

  it("passes the resource's ignoreChanges, so a first-rollout count under an HPA passes as in the program", async () => {
    expect(subjectOf(resourceArgs({ ...deployment(), ignoreChanges: ["spec.replicas"] })).ignoreChanges).toEqual(["spec.replicas"]);
    const p = policy("hpa-owns-replicas");
    const workload: Subject = { ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.replicas"] };
    const scaler = hpa(2);
    for (const s of [workload, scaler]) {
      await validate(p, s);
    }
    const { report, seen } = recorder();
    await p.validateStack?.(stackArgs([stackResource(workload, workload.props), stackResource(scaler, scaler.props)]), report);
    expect(seen).toEqual([]);
  });

  it("judges stack rules on the inputs each resource was registered with, not on live outputs", async () => {
    const p = policy("hpa-owns-replicas");
    const workload = deployment();
    const scaler = hpa();
    for (const s of [workload, scaler]) {
      await validate(p, s);
    }
    const { report, seen } = recorder();
    // A live Deployment always reports spec.replicas (set by the HPA or defaulted); the program did not ask for it.
    const live = { ...workload.props, spec: { replicas: 3 } };
    await p.validateStack?.(stackArgs([stackResource(workload, live), stackResource(scaler, scaler.props)]), report);
    expect(seen).toEqual([]);
  });

  it("reports a stack rule's violation on the offending resource", async () => {
    const p = policy("hpa-owns-replicas");
    const workload = deployment(podSpec(), { replicas: 2 });
    const scaler = hpa();
    for (const s of [workload, scaler]) {
      await validate(p, s);
    }
    const { report, seen } = recorder();
    await p.validateStack?.(stackArgs([stackResource(workload, workload.props), stackResource(scaler, scaler.props)]), report);
    expect(seen).toEqual([{ urn: workload.urn, message: expect.stringContaining("spec.replicas is 2") as string }]);
  });
});
