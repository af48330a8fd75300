// What every stack must hold, whatever its file says.
import { readinessWindowSeconds } from "../../components/pod";
import { isProduction } from "../../components/settings";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { evaluate } from "../../policy/evaluate";
import { rules } from "../../policy/rules";
import { kubeScoreFindings } from "./kube-score";
import type { CanarySpec } from "../../components/flagger";
import { count, k8s, nameOf, schemaProblems } from "./manifests";
import type { Declared } from "./mocks";
import { subjectsOf } from "./policy";
import type { StackRun } from "./stack";
import { containsSecret, exposes, isSecretValue, raw, reveal } from "./values";

const workloadTypes = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"];

/** Every object that runs pods: its pod template's spec and labels. */
function workloads(declared: Declared[]): { id: string; pod: IPodSpec; labels: Record<string, string> }[] {
  return declared
    .filter((d) => workloadTypes.includes(d.type))
    .map((d) => {
      const template = (reveal(d.inputs) as { spec: { template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } } }).spec.template;
      return { id: `${d.type} ${d.name}`, pod: template.spec, labels: template.metadata?.labels ?? {} };
    });
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Whether the stack releases through a canary (its `delivery` output says so). */
export const isCanary = (r: StackRun): boolean => (r.outputs.delivery as { strategy?: string } | undefined)?.strategy === "canary";

/** The stack's Flagger Canary. */
export const canaryOf = (d: Declared[]): { spec: CanarySpec } => {
  const found = d.filter((x) => x.type === "kubernetes:flagger.app/v1beta1:Canary");
  if (found.length !== 1) {
    throw new Error(`expected one Canary, found ${found.length}`);
  }
  return reveal(found[0]?.inputs) as { spec: CanarySpec };
};

/** What scales the API: its HPA, or its KEDA ScaledObject. */
export function scalerOf(d: Declared[]): { target?: string; minReplicas: number; maxReplicas: number } {
  const hpas = d.filter((x) => x.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
  const scaledObjects = d.filter((x) => x.type === "kubernetes:keda.sh/v1alpha1:ScaledObject");
  if (hpas.length + scaledObjects.length !== 1) {
    throw new Error(`expected one HPA or ScaledObject, found ${hpas.length} and ${scaledObjects.length}`);
  }
  if (hpas.length === 1) {
    const spec = k8s.hpa(d).spec;
    return { target: spec?.scaleTargetRef.name, minReplicas: spec?.minReplicas ?? 1, maxReplicas: spec?.maxReplicas ?? NaN };
  }
  const spec = k8s.scaledObject(d).spec;
  return { target: spec.scaleTargetRef.name, minReplicas: spec.minReplicaCount ?? 1, maxReplicas: spec.maxReplicaCount ?? NaN };
}

const seconds = (duration: string | undefined) => Number(/^(\d+)s$/.exec(duration ?? "")?.[1] ?? NaN);

export function describeStackInvariants(stack: string, run: () => StackRun): void {
  describe(`the ${stack} stack`, () => {
    it("declares only objects that pass the Kubernetes OpenAPI schema", () => {
      expect(schemaProblems(run().declared)).toEqual([]);
    });

    it("passes kube-score, with each suppression explained in the code", () => {
      expect(kubeScoreFindings(run().declared)).toEqual([]);
    });

    it("holds every rule of the policy pack, mandatory and advisory", () => {
      expect(evaluate(rules, subjectsOf(run().declared, stack))).toEqual([]);
    });

    it("names an explicit provider on every resource, and the stack's cluster on every Kubernetes object", () => {
      const { declared } = run();
      const cluster = declared.filter((d) => d.type === "pulumi:providers:kubernetes");
      expect(cluster.map((c) => c.name)).toEqual(["cluster"]);
      for (const d of declared.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
        expect({ resource: `${d.type} ${d.name}`, explicitProvider: /::pulumi:providers:/.test(d.provider ?? "") }).toEqual({
          resource: `${d.type} ${d.name}`,
          explicitProvider: true,
        });
        if (d.type.startsWith("kubernetes:")) {
          expect(d.provider).toMatch(/::pulumi:providers:kubernetes::cluster::/);
        }
      }
    });

    it("runs a restricted pod with the image the program built or was given", () => {
      const d = run().declared;
      const pod = k8s.deployment(d).spec?.template.spec;
      const container = pod?.containers[0];
      expect(container?.image).toBe(run().outputs.imageRef);
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
      expect(container?.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    });

    it("runs every workload's pods restricted, as a fixed non-root user, without a service account token", () => {
      for (const { id, pod } of workloads(run().declared)) {
        const p = pod.securityContext;
        const seen = {
          id,
          nonRoot: p?.runAsNonRoot === true && (p.runAsUser ?? 0) > 0,
          seccomp: p?.seccompProfile?.type,
          token: pod.automountServiceAccountToken,
          containers: pod.containers.map((c) => [c.securityContext?.allowPrivilegeEscalation, c.securityContext?.readOnlyRootFilesystem, c.securityContext?.capabilities?.drop]),
        };
        expect(seen).toEqual({ id, nonRoot: true, seccomp: "RuntimeDefault", token: false, containers: pod.containers.map(() => [false, true, ["ALL"]]) });
      }
    });

    it("migrates the schema with the image the Deployment runs", () => {
      const d = run().declared;
      const job = k8s.job(d).spec?.template.spec?.containers[0];
      expect(job?.image).toBe(k8s.deployment(d).spec?.template.spec?.containers[0]?.image);
      expect(job?.args).toEqual(["migrate"]);
      expect(run().outputs.migrationJob).toBe(nameOf(d, "kubernetes:batch/v1:Job"));
    });

    it("puts every pod under a NetworkPolicy for both directions, and lets the API out only to DNS, its database and the collector of its traces", () => {
      const d = run().declared;
      const policies = d.filter((x) => x.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((x) => reveal(x.inputs) as INetworkPolicy);
      for (const w of workloads(d)) {
        const covering = policies.filter((p) => selects(p.spec?.podSelector.matchLabels ?? {}, w.labels));
        expect({ workload: w.id, policies: covering.map((p) => p.spec?.policyTypes) }).toEqual({ workload: w.id, policies: [["Ingress", "Egress"]] });
      }
      const egress = k8s.networkPolicy(d).spec?.egress ?? [];
      const traces = k8s.configMap(d).data?.OTEL_EXPORTER_OTLP_ENDPOINT;
      expect(egress).toHaveLength(traces === undefined ? 2 : 3);
      expect(egress[0]?.ports).toEqual([
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ]);
      expect(egress[1]?.ports?.map((p) => [typeof p.port, p.protocol])).toEqual([["number", "TCP"]]);
      if (traces !== undefined) {
        const url = new URL(traces);
        expect(egress[2]?.ports).toEqual([{ port: Number(url.port || (url.protocol === "https:" ? 443 : 80)), protocol: "TCP" }]);
        expect(egress[2]?.to?.length).toBeGreaterThan(0);
      }
      // The migration sends no traces.
      expect(k8s.networkPolicy(d, "goapi-migrate").spec?.egress).toEqual(egress.slice(0, 2));
    });

    it("lets only the API and its migration into a database of its own", () => {
      const d = run().declared;
      const db = d.filter((x) => x.type === "kubernetes:apps/v1:StatefulSet");
      if (db.length === 0) {
        expect((k8s.networkPolicy(d).spec?.egress?.[1]?.to ?? []).filter((peer) => peer.podSelector !== undefined)).toEqual([]);
        return;
      }
      const ingress = k8s.networkPolicy(d, "goapi-db").spec?.ingress;
      expect(ingress).toEqual([
        {
          from: [
            { podSelector: { matchLabels: k8s.deployment(d).spec?.selector.matchLabels } },
            { podSelector: { matchLabels: k8s.networkPolicy(d, "goapi-migrate").spec?.podSelector.matchLabels } },
          ],
          ports: [{ port: "postgres", protocol: "TCP" }],
        },
      ]);
      expect(k8s.networkPolicy(d).spec?.egress?.[1]?.to).toEqual([{ podSelector: { matchLabels: k8s.statefulSet(d).spec?.selector.matchLabels } }]);
    });

    it("selects the same pods everywhere", () => {
      const d = run().declared;
      const dep = k8s.deployment(d);
      const selector = dep.spec?.selector.matchLabels ?? {};
      expect(dep.spec?.template.metadata?.labels).toMatchObject(selector);
      if (isCanary(run())) {
        // Flagger's primary renames app.kubernetes.io/name; the instance label selects both copies' pods.
        const pods = { "app.kubernetes.io/instance": selector["app.kubernetes.io/instance"] };
        expect(k8s.networkPolicy(d).spec?.podSelector.matchLabels).toEqual(pods);
        expect(canaryOf(d).spec.targetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: dep.metadata?.name });
        expect(count(d, "kubernetes:core/v1:Service")).toBe(d.some((x) => x.type === "kubernetes:apps/v1:StatefulSet") ? 1 : 0);
      } else {
        expect(k8s.service(d).spec?.selector).toEqual(selector);
        expect(k8s.networkPolicy(d).spec?.podSelector.matchLabels).toEqual(selector);
      }
    });

    it("routes the users to the pods' http port and starts at the scaler's minimum", () => {
      const d = run().declared;
      const scaler = scalerOf(d);
      expect(scaler.target).toBe(k8s.deployment(d).metadata?.name);
      expect(k8s.deployment(d).spec?.replicas).toBe(scaler.minReplicas);
      if (isCanary(run())) {
        const service = canaryOf(d).spec.service;
        expect(count(d, "kubernetes:networking.k8s.io/v1:Ingress")).toBe(0);
        expect({ targetPort: service.targetPort, hosts: service.hosts }).toEqual({ targetPort: "http", hosts: [String(run().outputs.url).replace(/^https?:\/\/([^/]+)\/.*$/, "$1")] });
        return;
      }
      const backend = k8s.ingress(d).spec?.rules?.[0]?.http?.paths[0]?.backend.service;
      expect(backend).toEqual({ name: k8s.service(d).metadata?.name, port: { name: "http" } });
      expect(k8s.service(d).spec?.ports?.find((p) => p.name === "http")?.targetPort).toBe("http");
    });

    it("keeps more than one pod available through a disruption when it asks for more than one", () => {
      const d = run().declared;
      const min = scalerOf(d).minReplicas;
      const pdbs = d.filter((x) => x.type === "kubernetes:policy/v1:PodDisruptionBudget");
      expect(pdbs).toHaveLength(min > 1 ? 1 : 0);
    });

    it("takes a draining pod out of the Service before the app stops accepting", () => {
      const d = run().declared;
      const drain = seconds(k8s.configMap(d).data?.DRAIN_DELAY);
      const readiness = k8s.deployment(d).spec?.template.spec?.containers[0]?.readinessProbe;
      expect((readiness?.periodSeconds ?? NaN) * (readiness?.failureThreshold ?? NaN)).toBeLessThanOrEqual(drain);
      expect(readinessWindowSeconds).toBeLessThanOrEqual(drain);
    });

    it("keeps the token secret: Secret, stack output, never the ConfigMap or the pod template", () => {
      const { declared, outputs, secretOutputs } = run();
      expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret", "goapi").stringData)).toBe(true);
      expect(containsSecret(raw(declared, "kubernetes:core/v1:ConfigMap", "goapi"))).toBe(false);
      expect(containsSecret(raw(declared, "kubernetes:apps/v1:Deployment"))).toBe(false);
      const token = String(outputs.token);
      expect(JSON.stringify(k8s.configMap(declared))).not.toContain(token);
      expect(JSON.stringify(k8s.deployment(declared))).not.toContain(token);
      expect(secretOutputs).toEqual(["token"]);
    });

    it("keeps the database password secret: only in Secrets, never in plain text anywhere", () => {
      const { declared } = run();
      expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret", "goapi-database-url").stringData)).toBe(true);
      const url = new URL(k8s.secret(declared, "goapi-database-url").stringData?.DATABASE_URL ?? "");
      expect(url.protocol).toBe("postgres:");
      const password = decodeURIComponent(url.password);
      expect(password.length).toBeGreaterThan(0);
      for (const d of declared) {
        const exposed = exposes(d.inputs, password) || exposes(d.inputs, url.password);
        expect({ resource: `${d.type} ${d.name}`, exposed }).toEqual({ resource: `${d.type} ${d.name}`, exposed: false });
      }
    });

    it("terminates TLS on production stacks", () => {
      const { declared, outputs } = run();
      if (isProduction(stack)) {
        // A canary's TLS is its Gateway listener's (docs/delivery.md), outside the stack.
        expect(declared.filter((x) => x.type === "kubernetes:networking.k8s.io/v1:Ingress").map((x) => (reveal(x.inputs) as { spec: { tls?: unknown[] } }).spec.tls?.length)).toEqual(isCanary(run()) ? [] : [1]);
        expect(outputs.url).toMatch(/^https:\/\//);
      } else {
        expect(outputs.url).toMatch(/^https?:\/\//);
      }
    });

    it("exports what a user needs for kubectl", () => {
      const { outputs } = run();
      const route = isCanary(run()) ? "routeName" : "ingressName";
      // An export left undefined (the other strategy's route) is no stack output.
      const exported = Object.keys(outputs).filter((k) => outputs[k] !== undefined);
      expect(exported.sort()).toEqual(["delivery", "deploymentName", "imageRef", route, "kubeContext", "migrationJob", "namespace", "serviceName", "token", "url"].sort());
      expect(outputs.url).toMatch(/^https?:\/\/[a-z0-9.-]+\/$/);
    });

    it("deploys the digest the image build reports, built by the explicit image builder", () => {
      const { declared, outputs } = run();
      const image = declared.find((d) => d.type === "docker-build:index:Image");
      const [tagged] = (image?.inputs.tags ?? []) as string[];
      const repository = String(tagged).replace(/:[^:/]+$/, "");
      // Whatever digest the (mocked) build reports, the Deployment gets repository@that.
      expect(outputs.imageRef).toBe(`${repository}@${String(image?.state.digest)}`);
      const builder = declared.find((d) => d.type === "pulumi:providers:docker-build");
      expect(builder?.inputs.host).toBe("");
      expect(image?.provider).toBe(`urn:pulumi:${stack}::goapi::pulumi:providers:docker-build::${builder?.name ?? ""}::${builder?.name ?? ""}-id`);
      expect(image?.inputs.buildOnPreview).toBe(false);
    });

    it("talks to the cluster through the stack's kubeconfig context", () => {
      const provider = run().declared.find((d) => d.type === "pulumi:providers:kubernetes");
      expect(provider?.inputs.context).toBe(run().outputs.kubeContext);
    });
  });
}
