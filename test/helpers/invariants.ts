// What every stack must hold, whatever its file says.
import { kubeScoreFindings } from "./kube-score";
import { k8s, schemaProblems } from "./manifests";
import type { StackRun } from "./stack";
import { containsSecret, isSecretValue, raw } from "./values";

export function describeStackInvariants(stack: string, run: () => StackRun): void {
  describe(`the ${stack} stack`, () => {
    it("declares only objects that pass the Kubernetes OpenAPI schema", () => {
      expect(schemaProblems(run().declared)).toEqual([]);
    });

    it("passes kube-score, with each suppression explained in the code", () => {
      expect(kubeScoreFindings(run().declared)).toEqual([]);
    });

    it("runs a restricted pod by digest", () => {
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

    it("selects the same pods everywhere", () => {
      const d = run().declared;
      const dep = k8s.deployment(d);
      const selector = dep.spec?.selector.matchLabels ?? {};
      expect(dep.spec?.template.metadata?.labels).toMatchObject(selector);
      expect(k8s.service(d).spec?.selector).toEqual(selector);
      expect(k8s.networkPolicy(d).spec?.podSelector.matchLabels).toEqual(selector);
    });

    it("routes the Ingress to the Service's http port and scales the Deployment", () => {
      const d = run().declared;
      const backend = k8s.ingress(d).spec?.rules?.[0]?.http?.paths[0]?.backend.service;
      expect(backend).toEqual({ name: k8s.service(d).metadata?.name, port: { name: "http" } });
      expect(k8s.service(d).spec?.ports?.find((p) => p.name === "http")?.targetPort).toBe("http");
      expect(k8s.hpa(d).spec?.scaleTargetRef.name).toBe(k8s.deployment(d).metadata?.name);
      expect(k8s.deployment(d).spec).not.toHaveProperty("replicas");
    });

    it("keeps the token secret: Secret, stack output, never the ConfigMap", () => {
      const { declared, outputs, secretOutputs } = run();
      expect(isSecretValue(raw(declared, "kubernetes:core/v1:Secret").stringData)).toBe(true);
      expect(containsSecret(raw(declared, "kubernetes:core/v1:ConfigMap"))).toBe(false);
      expect(JSON.stringify(k8s.configMap(declared).data)).not.toContain(String(outputs.token));
      expect(secretOutputs).toEqual(["token"]);
    });

    it("exports what a user needs for kubectl", () => {
      const { outputs } = run();
      expect(Object.keys(outputs).sort()).toEqual(["deploymentName", "imageRef", "ingressName", "kubeContext", "namespace", "serviceName", "token", "url"]);
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
