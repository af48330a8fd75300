// Each policy rule against a compliant object and the objects that break it.
// The same rule functions run in the policy pack and in the stack invariants.
import { rules } from "../../policy/rules";
import type { Rule, Subject } from "../../policy/rules";
import { evaluate } from "../../policy/evaluate";
import { container, deployment, hpa, ingress, namespace, onProvider, pdb, podSpec, prometheusRule, securedContainer, service, subject } from "./objects";

interface Case {
  /** Each entry: what it shows, and resources the rule accepts together. */
  compliant: [string, Subject[]][];
  /** Each entry: the resources, and a fragment of the message the rule must give. */
  broken: [string, Subject[], string][];
}

const defaultProvider = "urn:pulumi:dev::goapi::pulumi:providers:kubernetes::default_4_34_2";
const job = (pod: Record<string, unknown>) => subject("kubernetes:batch/v1:Job", "migrate", { spec: { template: { spec: pod } } });
const cronJob = (pod: Record<string, unknown>) =>
  subject("kubernetes:batch/v1:CronJob", "nightly", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } });

const cases: Record<string, Case> = {
  "pod-security-restricted": {
    compliant: [["a restricted Deployment", [deployment()]], ["a Job", [job(podSpec())]], ["an object without pods", [service()]]],
    broken: [
      ["runs as root", [deployment(podSpec([container()], { securityContext: { seccompProfile: { type: "RuntimeDefault" } } }))], "runAsNonRoot must be true"],
      ["uid 0", [deployment(podSpec([securedContainer({ runAsUser: 0 })]))], "runAsUser must not be 0"],
      ["may escalate", [deployment(podSpec([securedContainer({ allowPrivilegeEscalation: true })]))], "allowPrivilegeEscalation must be false"],
      ["keeps capabilities", [deployment(podSpec([securedContainer({ capabilities: { drop: ["NET_RAW"] } })]))], "capabilities.drop must include ALL"],
      ["adds a capability", [deployment(podSpec([securedContainer({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } })]))], "not SYS_ADMIN"],
      ["privileged", [deployment(podSpec([securedContainer({ privileged: true })]))], "privileged must not be true"],
      ["unconfined seccomp", [deployment(podSpec([securedContainer({ seccompProfile: { type: "Unconfined" } })]))], "seccompProfile.type must be RuntimeDefault"],
      ["writable root", [deployment(podSpec([securedContainer({ readOnlyRootFilesystem: false })]))], "readOnlyRootFilesystem must be true"],
      ["host network", [deployment(podSpec([container()], { hostNetwork: true }))], "hostNetwork must not be true"],
      ["an init container", [deployment(podSpec([container()], { initContainers: [container({ name: "init", securityContext: {} })] }))], 'container "init"'],
      ["a CronJob", [cronJob(podSpec([securedContainer({ allowPrivilegeEscalation: true })]))], "allowPrivilegeEscalation"],
    ],
  },
  "image-pinned-by-digest": {
    compliant: [["a digest", [deployment()]]],
    broken: [
      ["a tag", [deployment(podSpec([container({ image: "ghcr.io/acme/goapi:1.2.3" })]))], 'image "ghcr.io/acme/goapi:1.2.3" is not pinned'],
      ["tag and short digest", [deployment(podSpec([container({ image: "goapi@sha256:abc" })]))], "not pinned by digest"],
      ["no image", [deployment(podSpec([container({ image: undefined })]))], 'image ""'],
    ],
  },
  "resources-requests-and-limits": {
    compliant: [["cpu and memory both ways", [deployment()]]],
    broken: [
      ["no limits", [deployment(podSpec([container({ resources: { requests: { cpu: "1", memory: "1Gi" } } })]))], "resources.limits must set cpu and memory"],
      ["no memory request", [deployment(podSpec([container({ resources: { requests: { cpu: "1" }, limits: { cpu: "1", memory: "1Gi" } } })]))], "resources.requests must set memory"],
    ],
  },
  "explicit-provider": {
    compliant: [["the stack's provider", [deployment()]], ["a component, which has none", [onProvider(subject("goapi:index:ApiService", "goapi", {}), undefined)]],
      ["a dynamic resource, which cannot have one", [onProvider(subject("pulumi-nodejs:dynamic:Resource", "thing", {}), "urn:pulumi:dev::goapi::pulumi:providers:pulumi-nodejs::default")]],
    ],
    broken: [["the default provider", [onProvider(deployment(), defaultProvider)], "uses the default kubernetes provider"]],
  },
  "no-loadbalancer-service": {
    compliant: [["ClusterIP", [service("ClusterIP")]], ["headless", [subject("kubernetes:core/v1:Service", "headless", { spec: { clusterIP: "None" } })]]],
    broken: [
      ["LoadBalancer", [service("LoadBalancer")], "spec.type is LoadBalancer"],
      ["NodePort", [service("NodePort")], "spec.type is NodePort"],
    ],
  },
  "tls-on-production": {
    compliant: [["dev without TLS", [ingress("dev")]], ["prod with TLS", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "goapi-tls" }])]]],
    broken: [
      ["prod without tls", [ingress("prod")], "stack prod is production: spec.tls must cover goapi.example.com"],
      ["prod-eu without tls", [ingress("prod-eu")], "stack prod-eu is production"],
      ["tls for another host", [ingress("prod", [{ hosts: ["other.example.com"], secretName: "x" }])], "must cover goapi.example.com"],
      ["tls without a secret", [ingress("prod", [{ hosts: ["goapi.example.com"] }])], "must cover goapi.example.com"],
    ],
  },
  "hpa-owns-replicas": {
    compliant: [
      ["an HPA and no replicas", [deployment(), hpa()]],
      ["replicas and an HPA for another Deployment", [deployment(podSpec(), { replicas: 2 }), hpa(1, "other")]],
      ["replicas for the first rollout only", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.replicas"] }, hpa(2)]],
    ],
    broken: [
      ["replicas and an HPA", [deployment(podSpec(), { replicas: 2 }), hpa()], 'spec.replicas is 2 but HorizontalPodAutoscaler "goapi" scales this Deployment'],
      ["an auto-named Deployment", [autoNamed(deployment(podSpec(), { replicas: 1 })), hpa(1, "goapi-1a2b3c4d")], "spec.replicas is 1"],
      ["ignoring other changes", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["metadata.annotations"] }, hpa(2)], "spec.replicas is 2"],
    ],
  },
  "namespace-enforces-restricted": {
    compliant: [["restricted", [namespace("restricted")]]],
    broken: [
      ["no label", [namespace()], "pod-security.kubernetes.io/enforce is missing"],
      ["baseline", [namespace("baseline")], 'is "baseline"'],
    ],
  },
  "hpa-has-alerts": {
    compliant: [
      ["an HPA and its alerts, the ceiling at its maxReplicas", [deployment(), hpa(), prometheusRule()]],
      ["no HPA", [deployment()]],
    ],
    broken: [
      ["an HPA without alerts", [deployment(), hpa()], 'HorizontalPodAutoscaler "goapi" (namespace goapi) has no PrometheusRule with GoapiHighErrorRate, GoapiHighLatency'],
      ["the alerts in another namespace", [deployment(), hpa(), prometheusRule({ namespace: "elsewhere" })], "has no PrometheusRule with"],
      ["one alert left out", [deployment(), hpa(), prometheusRule({ without: "GoapiMigrationFailed" })], "has no PrometheusRule with GoapiMigrationFailed:"],
      ["the ceiling at another count", [deployment(), hpa(), prometheusRule({ max: 5 })], "scales to 3 pods, but GoapiAtMaxReplicas fires at 5"],
    ],
  },
  "disruption-budget": {
    compliant: [["one replica", [deployment(), hpa(1)]], ["two replicas and a PDB", [deployment(), hpa(2), pdb()]]],
    broken: [["two replicas, no PDB", [deployment(), hpa(2)], "keeps at least 2 replicas but no PodDisruptionBudget selects the pods"]],
  },
  "probes-configured": {
    compliant: [["both probes", [deployment()]], ["a Job without probes", [job(podSpec([container({ readinessProbe: undefined, livenessProbe: undefined })]))]]],
    broken: [["no readiness probe", [deployment(podSpec([container({ readinessProbe: undefined })]))], 'container "api": no readinessProbe']],
  },
  "no-service-account-token": {
    compliant: [["false", [deployment()]], ["explicitly true", [deployment(podSpec([container()], { automountServiceAccountToken: true }))]]],
    broken: [["token by default", [deployment(podSpec([container()], { automountServiceAccountToken: undefined }))], "automountServiceAccountToken is unset"]],
  },
  "recommended-labels": {
    compliant: [["labelled objects", [deployment(), service()]], ["a resource outside Kubernetes", [subject("random:index/randomPassword:RandomPassword", "token", {})]]],
    broken: [["no labels", [subject("kubernetes:core/v1:ConfigMap", "goapi", { metadata: { labels: { "app.kubernetes.io/name": "goapi" } } })], "lack app.kubernetes.io/instance, app.kubernetes.io/managed-by"]],
  },
};

function autoNamed(s: Subject): Subject {
  const props = s.props as { metadata: Record<string, unknown> };
  return { ...s, props: { ...s.props, metadata: { ...props.metadata, name: undefined } } };
}

const byName = (name: string): Rule => {
  const rule = rules.find((r) => r.name === name);
  if (!rule) {
    throw new Error(`no rule ${name}`);
  }
  return rule;
};

describe("the policy rules", () => {
  it("each have a test case here, and unique names", () => {
    expect(rules.map((r) => r.name).sort()).toEqual(Object.keys(cases).sort());
  });

  it("are mandatory where a violation can break or expose a stack, advisory where it is a matter of care", () => {
    const levels = Object.fromEntries(rules.map((r) => [r.name, r.enforcementLevel]));
    expect(levels).toEqual({
      "pod-security-restricted": "mandatory",
      "image-pinned-by-digest": "mandatory",
      "resources-requests-and-limits": "mandatory",
      "explicit-provider": "mandatory",
      "no-loadbalancer-service": "mandatory",
      "tls-on-production": "mandatory",
      "hpa-owns-replicas": "mandatory",
      "namespace-enforces-restricted": "mandatory",
      "hpa-has-alerts": "mandatory",
      "disruption-budget": "advisory",
      "probes-configured": "advisory",
      "no-service-account-token": "advisory",
      "recommended-labels": "advisory",
    });
  });

  describe.each(Object.entries(cases))("%s", (name, c) => {
    it.each(c.compliant)("accepts %s", (_, subjects) => {
      expect(evaluate([byName(name)], subjects)).toEqual([]);
    });

    it.each(c.broken)("refuses %s", (_, subjects, message) => {
      const findings = evaluate([byName(name)], subjects);
      expect(findings.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
      expect(findings.every((f) => f.rule === name && subjects.some((s) => s.urn === f.urn))).toBe(true);
    });
  });

  it("report every problem of a container at once", () => {
    const bare = deployment(podSpec([container({ securityContext: {} })], { securityContext: {} }));
    expect(evaluate([byName("pod-security-restricted")], [bare])).toHaveLength(5);
  });

  it("leave components and objects outside Kubernetes alone", () => {
    const others = [onProvider(subject("goapi:index:ApiService", "goapi", {}), undefined), subject("random:index/randomPassword:RandomPassword", "token", { length: 40 })];
    expect(evaluate(rules, others)).toEqual([]);
  });
});
