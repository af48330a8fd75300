// Kubernetes objects as the program declares them, typed and validated with
// kubernetes-models (generated from the Kubernetes OpenAPI schema).
import { Deployment, IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler, IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { IIngress, Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { INetworkPolicy, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { IPodDisruptionBudget, PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap, IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { INamespace, Namespace } from "kubernetes-models/v1/Namespace";
import { ISecret, Secret } from "kubernetes-models/v1/Secret";
import { IService, Service } from "kubernetes-models/v1/Service";
import { IServiceAccount, ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { Declared } from "./mocks";
import { reveal, the } from "./values";

interface Validating {
  validate(): void;
}

const models: Record<string, new (data: never) => Validating> = {
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:networking.k8s.io/v1:Ingress": Ingress,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
};

/**
 * Validates every declared Kubernetes object against the OpenAPI schema and
 * returns the problems, so a misspelt field fails here rather than at `pulumi up`.
 */
export function schemaProblems(declared: Declared[]): string[] {
  const problems: string[] = [];
  for (const d of declared.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "pulumi:providers:kubernetes")) {
    const Model = models[d.type];
    if (!Model) {
      problems.push(`${d.type} ${d.name}: no schema model registered in test/helpers/manifests.ts`);
      continue;
    }
    try {
      new Model(reveal(d.inputs) as never).validate();
    } catch (e) {
      problems.push(`${d.type} ${d.name}: ${String(e)}`);
    }
  }
  return problems;
}

export const k8s = {
  namespace: (d: Declared[]) => the<INamespace>(d, "kubernetes:core/v1:Namespace"),
  serviceAccount: (d: Declared[]) => the<IServiceAccount>(d, "kubernetes:core/v1:ServiceAccount"),
  configMap: (d: Declared[]) => the<IConfigMap>(d, "kubernetes:core/v1:ConfigMap"),
  secret: (d: Declared[]) => the<ISecret>(d, "kubernetes:core/v1:Secret"),
  service: (d: Declared[]) => the<IService>(d, "kubernetes:core/v1:Service"),
  deployment: (d: Declared[]) => the<IDeployment>(d, "kubernetes:apps/v1:Deployment"),
  ingress: (d: Declared[]) => the<IIngress>(d, "kubernetes:networking.k8s.io/v1:Ingress"),
  networkPolicy: (d: Declared[]) => the<INetworkPolicy>(d, "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
  hpa: (d: Declared[]) => the<IHorizontalPodAutoscaler>(d, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
  pdb: (d: Declared[]) => the<IPodDisruptionBudget>(d, "kubernetes:policy/v1:PodDisruptionBudget"),
};

export function count(declared: Declared[], type: string): number {
  return declared.filter((d) => d.type === type).length;
}
