// Kubernetes objects as the program declares them, typed and validated with
// kubernetes-models (generated from the Kubernetes OpenAPI schema).
import { Deployment, IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { IStatefulSet, StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { IJob, Job } from "kubernetes-models/batch/v1/Job";
import { HorizontalPodAutoscaler, IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { IIngress, Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { INetworkPolicy, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { IPodDisruptionBudget, PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap, IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { INamespace, Namespace } from "kubernetes-models/v1/Namespace";
import { ISecret, Secret } from "kubernetes-models/v1/Secret";
import { IService, Service } from "kubernetes-models/v1/Service";
import { IServiceAccount, ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { IPrometheusRule, PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { IServiceMonitor, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { HTTPRoute, IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { IScaledObject, ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { Declared } from "./mocks";
import { one, reveal, the } from "./values";

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
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:batch/v1:Job": Job,
  "kubernetes:networking.k8s.io/v1:Ingress": Ingress,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
  // The Prometheus Operator's CRD schemas.
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ServiceMonitor,
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PrometheusRule,
  // KEDA's and the Gateway API's CRD schemas.
  "kubernetes:keda.sh/v1alpha1:ScaledObject": ScaledObject,
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": HTTPRoute,
};

/**
 * Kinds no published model covers: Flagger's (components/flagger.ts types
 * them by hand). `npm run test:cluster` applies them with strict field
 * validation against the CRDs pinned in scripts/cluster/versions.sh instead.
 */
const checkedByTheApiServer = new Set(["kubernetes:flagger.app/v1beta1:Canary", "kubernetes:flagger.app/v1beta1:MetricTemplate"]);

/**
 * Validates every declared Kubernetes object against the OpenAPI schema and
 * returns the problems, so a misspelt field fails here rather than at `pulumi up`.
 */
export function schemaProblems(declared: Declared[]): string[] {
  const problems: string[] = [];
  for (const d of declared.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "pulumi:providers:kubernetes")) {
    const Model = models[d.type];
    if (!Model && checkedByTheApiServer.has(d.type)) {
      continue;
    }
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

const api = "goapi";

/**
 * The declared objects, typed. Kinds a stack declares more than once are
 * picked by Pulumi name: the API's are named after the ApiService ("goapi" in
 * index.ts and the component tests), the others after it with a suffix
 * ("goapi-database-url", "goapi-migrate", "goapi-db").
 */
export const k8s = {
  namespace: (d: Declared[]) => the(d, "kubernetes:core/v1:Namespace") as INamespace,
  serviceAccount: (d: Declared[]) => the(d, "kubernetes:core/v1:ServiceAccount") as IServiceAccount,
  configMap: (d: Declared[], name = api) => the(d, "kubernetes:core/v1:ConfigMap", name) as IConfigMap,
  secret: (d: Declared[], name = api) => the(d, "kubernetes:core/v1:Secret", name) as ISecret,
  service: (d: Declared[], name = api) => the(d, "kubernetes:core/v1:Service", name) as IService,
  deployment: (d: Declared[]) => the(d, "kubernetes:apps/v1:Deployment") as IDeployment,
  statefulSet: (d: Declared[]) => the(d, "kubernetes:apps/v1:StatefulSet") as IStatefulSet,
  job: (d: Declared[]) => the(d, "kubernetes:batch/v1:Job") as IJob,
  ingress: (d: Declared[]) => the(d, "kubernetes:networking.k8s.io/v1:Ingress") as IIngress,
  networkPolicy: (d: Declared[], name = api) => the(d, "kubernetes:networking.k8s.io/v1:NetworkPolicy", name) as INetworkPolicy,
  hpa: (d: Declared[]) => the(d, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler") as IHorizontalPodAutoscaler,
  pdb: (d: Declared[]) => the(d, "kubernetes:policy/v1:PodDisruptionBudget") as IPodDisruptionBudget,
  serviceMonitor: (d: Declared[]) => the(d, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor") as IServiceMonitor,
  prometheusRule: (d: Declared[]) => the(d, "kubernetes:monitoring.coreos.com/v1:PrometheusRule") as IPrometheusRule,
  scaledObject: (d: Declared[]) => the(d, "kubernetes:keda.sh/v1alpha1:ScaledObject") as IScaledObject,
  httpRoute: (d: Declared[]) => the(d, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") as IHTTPRoute,
};


export function count(declared: Declared[], type: string): number {
  return declared.filter((d) => d.type === type).length;
}

/** The name the provider gave the one object of this type (and Pulumi name; auto-named ones included). */
export function nameOf(declared: Declared[], type: string, name?: string): string | undefined {
  return (one(declared, type, name).state.metadata as { name?: string } | undefined)?.name;
}
