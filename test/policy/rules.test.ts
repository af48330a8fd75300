// Each policy rule against a compliant object and the objects that break it.
// The same rule functions run in the policy pack and in the stack invariants.
import { rules } from "../../policy/rules";
import type { Rule, Subject } from "../../policy/rules";
import { evaluate } from "../../policy/evaluate";
import { canaryRoute, container, httpRoute, deployment, hpa, hpaWith, inNamespace, ingress, labels, namespace, onProvider, pdb, podSecurity, podSpec, prometheusRule, scaledObject, securedContainer, service, subject } from "./objects";

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
    compliant: [
      ["a restricted Deployment", [deployment()]],
      ["a Job", [job(podSpec())]],
      ["an object without pods", [service()]],
      ["a bare Pod", [subject("kubernetes:core/v1:Pod", "debug", { spec: podSpec() })]],
      ["every rule set on the container instead of the pod", [deployment(podSpec([securedContainer({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "Localhost" } })], { securityContext: {} }))]],
      ["a Localhost seccomp profile on the pod", [deployment(podSpec([container()], { securityContext: { ...podSecurity, seccompProfile: { type: "Localhost" } } }))]],
      ["NET_BIND_SERVICE added, privileged false", [deployment(podSpec([securedContainer({ privileged: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })]))]],
      ["host namespaces set to false", [deployment(podSpec([container()], { hostNetwork: false, hostPID: false, hostIPC: false }))]],
    ],
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
      ["host PIDs", [deployment(podSpec([container()], { hostPID: true }))], "pod: hostPID must not be true"],
      ["host IPC", [deployment(podSpec([container()], { hostIPC: true }))], "pod: hostIPC must not be true"],
      ["uid 0 for the pod", [deployment(podSpec([container()], { securityContext: { ...podSecurity, runAsUser: 0 } }))], "pod: runAsUser must not be 0"],
      ["uid 0 for the pod, a uid of its own for the container", [deployment(podSpec([securedContainer({ runAsUser: 1000 })], { securityContext: { ...podSecurity, runAsUser: 0 } }))], "pod: runAsUser must not be 0"],
      ["a container that may run as root under a non-root pod", [deployment(podSpec([securedContainer({ runAsNonRoot: false })]))], 'container "api": runAsNonRoot must be true'],
      ["a pod that may run as root, with non-root containers", [deployment(podSpec([securedContainer({ runAsNonRoot: true })], { securityContext: { ...podSecurity, runAsNonRoot: false } }))], "pod: runAsNonRoot must not be false"],
      ["no seccomp profile anywhere", [deployment(podSpec([container()], { securityContext: { runAsNonRoot: true } }))], 'container "api": seccompProfile.type must be RuntimeDefault'],
      ["an unconfined pod, with confined containers", [deployment(podSpec([securedContainer({ seccompProfile: { type: "RuntimeDefault" } })], { securityContext: { ...podSecurity, seccompProfile: { type: "Unconfined" } } }))], "pod: seccompProfile.type must be RuntimeDefault or Localhost, not Unconfined"],
      ["a capability added among allowed ones", [deployment(podSpec([securedContainer({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_RAW"] } })]))], "capabilities.add may only hold NET_BIND_SERVICE, not NET_RAW"],
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
      ["an init container by tag", [deployment(podSpec([container()], { initContainers: [container({ name: "init", image: "busybox:1.36" })] }))], 'container "init": image "busybox:1.36" is not pinned'],
      ["a digest in upper case", [deployment(podSpec([container({ image: `goapi@sha256:${"A".repeat(64)}` })]))], "not pinned by digest"],
      ["a digest one digit short", [deployment(podSpec([container({ image: `goapi@sha256:${"a".repeat(63)}` })]))], "not pinned by digest"],
    ],
  },
  "resources-requests-and-limits": {
    compliant: [["cpu and memory both ways", [deployment()]]],
    broken: [
      ["no limits", [deployment(podSpec([container({ resources: { requests: { cpu: "1", memory: "1Gi" } } })]))], "resources.limits must set cpu and memory"],
      ["no memory request", [deployment(podSpec([container({ resources: { requests: { cpu: "1" }, limits: { cpu: "1", memory: "1Gi" } } })]))], "resources.requests must set memory"],
      ["no cpu limit", [deployment(podSpec([container({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })]))], 'container "api": resources.limits must set cpu'],
      ["no resources at all", [deployment(podSpec([container({ resources: undefined })]))], "resources.requests must set cpu and memory"],
      ["an init container without resources", [deployment(podSpec([container()], { initContainers: [container({ name: "init", resources: undefined })] }))], 'container "init": resources.limits must set cpu and memory'],
      ["a Job's container", [job(podSpec([container({ resources: { limits: { cpu: "1", memory: "1Gi" } } })]))], "resources.requests must set cpu and memory"],
    ],
  },
  "explicit-provider": {
    compliant: [["the stack's provider", [deployment()]], ["a component, which has none", [onProvider(subject("goapi:index:ApiService", "goapi", {}), undefined)]],
      ["a dynamic resource, which cannot have one", [onProvider(subject("pulumi-nodejs:dynamic:Resource", "thing", {}), "urn:pulumi:dev::goapi::pulumi:providers:pulumi-nodejs::default")]],
      ["an explicit provider whose name starts with default", [onProvider(deployment(), "urn:pulumi:dev::goapi::pulumi:providers:kubernetes::defaults")]],
      ["a resource named default that is no provider", [onProvider(deployment(), "urn:pulumi:dev::goapi::kubernetes:core/v1:Namespace::default")]],
      ["a provider whose name ends in default", [onProvider(deployment(), "urn:pulumi:dev::goapi::pulumi:providers:kubernetes::mydefault")]],
      ["a provider reference that is no URN", [onProvider(deployment(), "default")]],
    ],
    broken: [
      ["the default provider", [onProvider(deployment(), defaultProvider)], "uses the default kubernetes provider"],
      ["the default provider without a version", [onProvider(deployment(), "urn:pulumi:dev::goapi::pulumi:providers:docker-build::default")], "uses the default docker-build provider"],
    ],
  },
  "no-loadbalancer-service": {
    compliant: [
      ["ClusterIP", [service("ClusterIP")]],
      ["headless", [subject("kubernetes:core/v1:Service", "headless", { spec: { clusterIP: "None" } })]],
      ["another kind with a spec.type", [subject("kubernetes:core/v1:Secret", "tls", { type: "kubernetes.io/tls", spec: { type: "LoadBalancer" } })]],
    ],
    broken: [
      ["LoadBalancer", [service("LoadBalancer")], "spec.type is LoadBalancer"],
      ["NodePort", [service("NodePort")], "spec.type is NodePort"],
    ],
  },
  "tls-on-production": {
    compliant: [
      ["dev without TLS", [ingress("dev")]],
      ["prod with TLS", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "goapi-tls" }])]],
      ["prod with two hosts in two TLS entries", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "a" }, { hosts: ["admin.example.com"], secretName: "b" }], ["goapi.example.com", "admin.example.com"])]],
      ["another kind on prod", [subject("kubernetes:core/v1:Service", "goapi", { spec: {} }, "prod")]],
      ["a stack whose name only starts like prod", [ingress("production2")]],
      ["prod's Canary and HTTPRoute on a named listener", [canaryRoute("prod"), httpRoute("prod")]],
      ["dev's Canary and HTTPRoute on every listener", [canaryRoute("dev", [undefined]), httpRoute("dev", [undefined])]],
      ["a Canary of another group on prod", [{ ...canaryRoute("prod", [undefined]), type: "kubernetes:example.com/v1:Canary" }]],
      ["an HTTPRoute of an older version on prod (not what the program declares)", [{ ...httpRoute("prod", [undefined]), type: "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute" }]],
    ],
    broken: [
      ["prod without tls", [ingress("prod")], "stack prod is production: spec.tls must cover goapi.example.com"],
      ["prod-eu without tls", [ingress("prod-eu")], "stack prod-eu is production"],
      ["tls for another host", [ingress("prod", [{ hosts: ["other.example.com"], secretName: "x" }])], "must cover goapi.example.com"],
      ["tls without a secret", [ingress("prod", [{ hosts: ["goapi.example.com"] }])], "must cover goapi.example.com"],
      ["tls with an empty secret name", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "" }])], "must cover goapi.example.com"],
      ["one of two hosts covered", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "x" }], ["goapi.example.com", "admin.example.com"])], "spec.tls must cover admin.example.com with"],
      ["no rules", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "x" }], [])], "spec.tls must cover the Ingress with"],
      ["a rule without a host", [ingress("prod", [{ hosts: ["goapi.example.com"], secretName: "x" }], [undefined])], "spec.tls must cover * with"],
      [
        "prod's Canary on every listener",
        [canaryRoute("prod", [undefined])],
        "stack prod is production: spec.service.gatewayRefs must name the Gateway's HTTPS listener (sectionName) of traefik-gateway, or the route is served by a plain-HTTP listener too (set goapi:delivery.canary.gateway.listener)",
      ],
      ["prod's Canary, one of two refs unnamed", [canaryRoute("prod", ["websecure", undefined])], "spec.service.gatewayRefs must name the Gateway's HTTPS listener (sectionName) of traefik-gateway,"],
      ["prod's Canary with an empty listener", [canaryRoute("prod", [""])], "of traefik-gateway,"],
      ["prod's Canary without gatewayRefs", [canaryRoute("prod", [], [])], "spec.service.gatewayRefs must name the Gateway's HTTPS listener (sectionName) on a Gateway,"],
      ["prod's Canary whose gatewayRefs are not a list", [canaryRoute("prod", [], { name: "traefik-gateway", sectionName: "websecure" })], "on a Gateway,"],
      ["prod's Canary whose ref has no name", [canaryRoute("prod", [], [{ sectionName: 7 }])], "(sectionName) of ?,"],
      ["prod's Canary, two Gateways unnamed", [canaryRoute("prod", [], [{ name: "public" }, { name: "internal" }])], "(sectionName) of public, internal,"],
      ["prod's Canary without spec.service", [{ ...canaryRoute("prod"), props: { metadata: { name: "goapi" }, spec: {} } }], "spec.service.gatewayRefs must name the Gateway's HTTPS listener (sectionName) on a Gateway,"],
      ["two hosts uncovered", [ingress("prod", undefined, ["a.example.com", "b.example.com"])], "spec.tls must cover a.example.com, b.example.com with"],
      ["production-eu's HTTPRoute on every listener", [httpRoute("production-eu", [undefined])], "stack production-eu is production: spec.parentRefs must name the Gateway's HTTPS listener (sectionName) of traefik-gateway,"],
    ],
  },
  "hpa-owns-replicas": {
    compliant: [
      ["an HPA and no replicas", [deployment(), hpa()]],
      ["replicas and an HPA for another Deployment", [deployment(podSpec(), { replicas: 2 }), hpa(1, "other")]],
      ["replicas for the first rollout only", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.replicas"] }, hpa(2)]],
      ["the whole spec ignored after the first rollout", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec"] }, hpa(2)]],
      ["replicas and an HPA in another namespace", [deployment(podSpec(), { replicas: 2 }), inNamespace(hpa(), "other")]],
      ["replicas and an HPA for another kind", [deployment(podSpec(), { replicas: 2 }), hpa(1, "goapi", "StatefulSet")]],
      ["an auto-named Deployment and an HPA for a name that only starts like it", [autoNamed(deployment(podSpec(), { replicas: 1 })), hpa(1, "goapix-1a2b3c4d")]],
      ["an HPA without a target kind", [deployment(podSpec(), { replicas: 2 }), hpaWith({ scaleTargetRef: { name: "goapi" } })]],
      ["an HPA without a target name", [deployment(podSpec(), { replicas: 2 }), hpaWith({ scaleTargetRef: { kind: "Deployment" } })]],
      ["an auto-named Deployment and an HPA without a target name", [autoNamed(deployment(podSpec(), { replicas: 2 })), hpaWith({ scaleTargetRef: { kind: "Deployment" } })]],
      ["a ScaledObject and no replicas", [deployment(), scaledObject()]],
      ["replicas for the first rollout only, and a ScaledObject", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.replicas"] }, scaledObject()]],
      ["an HPA and a ScaledObject for two Deployments", [deployment(), hpa(1, "other"), scaledObject()]],
      ["a ScaledObject for a StatefulSet of the same name", [deployment(podSpec(), { replicas: 2 }), scaledObject({ scaleTargetRef: { kind: "StatefulSet", name: "goapi" } })]],
      ["a ScaledObject without a target name", [deployment(podSpec(), { replicas: 2 }), scaledObject({ scaleTargetRef: {} })]],
      ["two Deployments, each with a scaler of its own", [deployment(), { ...deployment(), name: "other", props: { metadata: { name: "other", namespace: "goapi" }, spec: {} } }, hpa(1, "other"), scaledObject()]],
    ],
    broken: [
      ["replicas and an HPA", [deployment(podSpec(), { replicas: 2 }), hpa()], 'spec.replicas is 2 but HorizontalPodAutoscaler "goapi" scales this Deployment'],
      ["an auto-named Deployment", [autoNamed(deployment(podSpec(), { replicas: 1 })), hpa(1, "goapi-1a2b3c4d")], "spec.replicas is 1"],
      ["ignoring other changes", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["metadata.annotations"] }, hpa(2)], "spec.replicas is 2"],
      ["ignoring a field below replicas' parent only", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.template"] }, hpa(2)], "spec.replicas is 2"],
      ["zero replicas and an HPA", [deployment(podSpec(), { replicas: 0 }), hpa()], "spec.replicas is 0"],
      ["an HPA with no namespace of its own", [deployment(podSpec(), { replicas: 2 }), inNamespace(hpa(), undefined)], "spec.replicas is 2"],
      ["a Deployment with no namespace of its own", [inNamespace(deployment(podSpec(), { replicas: 2 }), undefined), hpa()], "spec.replicas is 2"],
      ["replicas and a ScaledObject, whose target is a Deployment by default", [deployment(podSpec(), { replicas: 2 }), scaledObject()], 'spec.replicas is 2 but ScaledObject "goapi" scales this Deployment'],
      ["an HPA and a ScaledObject on one Deployment", [deployment(), hpa(), scaledObject()], 'HorizontalPodAutoscaler "goapi" and ScaledObject "goapi" all scale this Deployment: keep one'],
      ["two HPAs on one Deployment, replicas set for the first rollout only", [{ ...deployment(podSpec(), { replicas: 2 }), ignoreChanges: ["spec.replicas"] }, hpa(), { ...hpa(2), name: "second" }], 'HorizontalPodAutoscaler "goapi" and HorizontalPodAutoscaler "second" all scale'],
    ],
  },
  "namespace-enforces-restricted": {
    compliant: [["restricted", [namespace("restricted")]], ["another kind without the label", [service()]]],
    broken: [
      ["no label", [namespace()], "pod-security.kubernetes.io/enforce is missing"],
      ["baseline", [namespace("baseline")], 'is "baseline"'],
      ["privileged", [namespace("privileged")], 'label pod-security.kubernetes.io/enforce is "privileged": set it to "restricted"'],
    ],
  },
  "hpa-has-alerts": {
    compliant: [
      ["an HPA and its alerts, the ceiling at its maxReplicas", [deployment(), hpa(), prometheusRule()]],
      ["no HPA", [deployment()]],
      ["a ceiling of two digits", [deployment(), hpaWith({ maxReplicas: 10 }), prometheusRule({ max: 10 })]],
      ["the count right after >=", [deployment(), hpa(), prometheusRule({ ceiling: "count(goapi_build_info) >=3" })]],
      ["a group without rules beside the alerts", [deployment(), hpa(), prometheusRule({ emptyGroup: true })]],
      ["a ScaledObject and its alerts, the ceiling at its maxReplicaCount", [deployment(), scaledObject({ maxReplicaCount: 10 }), prometheusRule({ max: 10 })]],
    ],
    broken: [
      ["an HPA without alerts", [deployment(), hpa()], 'HorizontalPodAutoscaler "goapi" (namespace goapi) has no PrometheusRule with GoapiHighErrorRate, GoapiHighLatency'],
      ["an HPA without a namespace", [deployment(), inNamespace(hpa(), undefined)], 'HorizontalPodAutoscaler "goapi" (namespace unset) has no PrometheusRule with'],
      ["the alerts in another kind of object", [deployment(), hpa(), prometheusRule({ type: "kubernetes:core/v1:ConfigMap" })], "has no PrometheusRule with"],
      ["a ceiling without a count", [deployment(), hpa(), prometheusRule({ ceiling: "vector(1) > 0" })], "fires at an unknown count:"],
      ["a ceiling with more after its count", [deployment(), hpa(), prometheusRule({ ceiling: "count(goapi_build_info) >= 3 unless on() vector(0)" })], "fires at an unknown count:"],
      ["a ceiling whose count runs into other text", [deployment(), hpa(), prometheusRule({ ceiling: "count(goapi_build_info) >= 3x" })], "fires at an unknown count:"],
      ["a ceiling that is not a text", [deployment(), hpa(), prometheusRule({ ceiling: { count: 3 } })], "fires at an unknown count:"],
      ["the alerts in another namespace", [deployment(), hpa(), prometheusRule({ namespace: "elsewhere" })], "has no PrometheusRule with"],
      ["one alert left out", [deployment(), hpa(), prometheusRule({ without: "GoapiMigrationFailed" })], "has no PrometheusRule with GoapiMigrationFailed:"],
      ["the ceiling at another count", [deployment(), hpa(), prometheusRule({ max: 5 })], "scales to 3 pods, but GoapiAtMaxReplicas fires at 5"],
      ["a ScaledObject without alerts", [deployment(), scaledObject()], 'ScaledObject "goapi" (namespace goapi) has no PrometheusRule with GoapiHighErrorRate'],
      ["a ScaledObject's ceiling at another count", [deployment(), scaledObject({ maxReplicaCount: 10 }), prometheusRule({ max: 3 })], "scales to 10 pods, but GoapiAtMaxReplicas fires at 3: give the alert the scaler's maximum"],
      ["a ScaledObject without maxReplicaCount, which means KEDA's 100", [deployment(), scaledObject({ maxReplicaCount: undefined }), prometheusRule()], "scales to 100 pods"],
    ],
  },
  "disruption-budget": {
    compliant: [
      ["one replica", [deployment(), hpa(1)]],
      ["an HPA without minReplicas, which means one", [deployment(), hpaWith({ minReplicas: undefined })]],
      ["two replicas and a PDB", [deployment(), hpa(2), pdb()]],
      ["two replicas of a Deployment in another namespace", [inNamespace(deployment(), "other"), hpa(2)]],
      ["a ScaledObject without minReplicaCount, which means KEDA's 0", [deployment(), scaledObject({ minReplicaCount: undefined })]],
      ["a ScaledObject keeping two replicas, and a PDB", [deployment(), scaledObject({ minReplicaCount: 2 }), pdb()]],
      ["two replicas kept by an HPA that names no workload", [deployment(), hpaWith({ minReplicas: 2, scaleTargetRef: { kind: "Deployment" } })]],
    ],
    broken: [
      ["two replicas, no PDB", [deployment(), hpa(2)], 'HorizontalPodAutoscaler "goapi" keeps at least 2 replicas but no PodDisruptionBudget selects the pods'],
      ["a PDB for other pods", [deployment(), hpa(3), pdb({ "app.kubernetes.io/name": "other" })], "keeps at least 3 replicas"],
      ["a PDB that selects nothing", [deployment(), hpa(2), pdb({})], "no PodDisruptionBudget selects the pods"],
      ["a PDB that asks for more labels than the pods have", [deployment(), hpa(2), pdb({ ...labels, tier: "web" })], "no PodDisruptionBudget selects the pods"],
      ["a ScaledObject keeping two replicas, no PDB", [deployment(), scaledObject({ minReplicaCount: 2 })], 'ScaledObject "goapi" keeps at least 2 replicas but no PodDisruptionBudget selects the pods'],
    ],
  },
  "probes-configured": {
    compliant: [
      ["both probes", [deployment()]],
      ["a Job without probes", [job(podSpec([container({ readinessProbe: undefined, livenessProbe: undefined })]))]],
      ["a CronJob without probes", [cronJob(podSpec([container({ readinessProbe: undefined, livenessProbe: undefined })]))]],
      ["an init container without probes", [deployment(podSpec([container()], { initContainers: [container({ name: "init", readinessProbe: undefined, livenessProbe: undefined })] }))]],
      ["an object without pods", [service()]],
    ],
    broken: [
      ["no readiness probe", [deployment(podSpec([container({ readinessProbe: undefined })]))], 'container "api": no readinessProbe'],
      ["no liveness probe", [deployment(podSpec([container({ livenessProbe: undefined })]))], 'container "api": no livenessProbe'],
      ["neither probe", [deployment(podSpec([container({ readinessProbe: undefined, livenessProbe: undefined })]))], 'container "api": no readinessProbe or livenessProbe'],
      ["a StatefulSet's container", [subject("kubernetes:apps/v1:StatefulSet", "db", { spec: { template: { spec: podSpec([container({ name: "db", livenessProbe: undefined })]) } } })], 'container "db": no livenessProbe'],
    ],
  },
  "no-service-account-token": {
    compliant: [["false", [deployment()]], ["explicitly true", [deployment(podSpec([container()], { automountServiceAccountToken: true }))]], ["an object without pods", [service()]]],
    broken: [["token by default", [deployment(podSpec([container()], { automountServiceAccountToken: undefined }))], "automountServiceAccountToken is unset"]],
  },
  "recommended-labels": {
    compliant: [["labelled objects", [deployment(), service()]], ["a resource outside Kubernetes", [subject("random:index/randomPassword:RandomPassword", "token", {})]]],
    broken: [
      ["two labels missing", [subject("kubernetes:core/v1:ConfigMap", "goapi", { metadata: { labels: { "app.kubernetes.io/name": "goapi" } } })], "metadata.labels lack app.kubernetes.io/instance, app.kubernetes.io/managed-by"],
      ...Object.keys(labels).map((missing): [string, Subject[], string] => [
        `no ${missing}`,
        [subject("kubernetes:core/v1:ConfigMap", "goapi", { metadata: { labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== missing)) } })],
        `metadata.labels lack ${missing}`,
      ]),
      ["no metadata", [subject("kubernetes:core/v1:ConfigMap", "goapi", {})], "metadata.labels lack app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/managed-by"],
    ],
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

  it("each say in a sentence what they ask for, as the engine shows it", () => {
    for (const r of rules) {
      expect(r.description).toMatch(/^[A-Z].{30,}\.$/);
    }
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

  it("report every problem of a pod and its containers at once", () => {
    const bare = deployment(podSpec([container({ securityContext: {} })], { securityContext: {}, hostPID: true }));
    expect(evaluate([byName("pod-security-restricted")], [bare]).map((f) => f.message)).toEqual([
      "pod: hostPID must not be true",
      'container "api": runAsNonRoot must be true (pod or container securityContext)',
      'container "api": allowPrivilegeEscalation must be false',
      'container "api": capabilities.drop must include ALL',
      'container "api": seccompProfile.type must be RuntimeDefault (pod or container securityContext)',
      'container "api": readOnlyRootFilesystem must be true',
    ]);
  });

  it("name each finding's rule, level and resource", () => {
    const broken = deployment(podSpec([container({ image: "goapi:1" })]));
    expect(evaluate(rules, [broken, service("NodePort")])).toEqual([
      { rule: "image-pinned-by-digest", enforcementLevel: "mandatory", urn: broken.urn, message: 'container "api": image "goapi:1" is not pinned by digest (<repository>@sha256:<64 hex>)' },
      { rule: "no-loadbalancer-service", enforcementLevel: "mandatory", urn: service().urn, message: "spec.type is NodePort: expose the API through the Ingress and keep the Service ClusterIP" },
    ]);
  });

  it("leave components and objects outside Kubernetes alone", () => {
    const others = [onProvider(subject("goapi:index:ApiService", "goapi", {}), undefined), subject("random:index/randomPassword:RandomPassword", "token", { length: 40 })];
    expect(evaluate(rules, others)).toEqual([]);
  });
});
