// What keeps the API's replica count: an HPA on CPU (and memory), or a KEDA
// ScaledObject on the request rate, which makes and owns an HPA of its own.
// Either way one object scales the Deployment; Pulumi sets its replicas for
// the first rollout only (docs/delivery.md).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { probeRoutes } from "./alerts";
import { ScaledObject, ScaledObjectTrigger } from "./keda";
import { scrapeIntervalSeconds } from "./observability-settings";

export interface ScalingArgs {
  minReplicas: number;
  maxReplicas: number;
  metric: "cpu" | "requests";
  cpuUtilization: number;
  memoryUtilization?: number;
  requestsPerSecond?: number;
}

export interface Scaler {
  apiVersion: string;
  kind: "HorizontalPodAutoscaler" | "ScaledObject";
  name: string;
  resource: pulumi.Resource;
  /** For a canary: the same triggers, rewritten for the primary's pods (Flagger's primaryScalerQueries). */
  primaryQueries?: Record<string, string>;
}

/** The trigger whose query Flagger rewrites for the primary. */
export const requestsTrigger = "requests";

/** The pods' served request rate per second, probes left out as in the alerts; `service` picks the pods. */
export function requestRateQuery(namespace: string, service: string): string {
  return `sum(rate(http_requests_total{namespace="${namespace}",service="${service}",route!~"${probeRoutes}"}[1m]))`;
}

export interface ScalerTarget {
  name: string;
  namespace: pulumi.Input<string>;
  /** The namespace's name as a plain value, for the PromQL. */
  namespaceName: string;
  labels: Record<string, string>;
  /** Annotations on the scaler (kube-score's suppressions). */
  annotations?: Record<string, string>;
  /** The Service whose endpoints are the scaled pods, and, for a canary, the primary's. */
  service: string;
  primaryService?: string;
  prometheusUrl: string;
}

const metadataOf = (t: ScalerTarget) => ({ name: t.name, namespace: t.namespace, labels: t.labels, annotations: t.annotations });
const scaleTargetRef = (t: ScalerTarget) => ({ apiVersion: "apps/v1", kind: "Deployment", name: t.name });

/** Declares an HPA on CPU (and memory) for the Deployment `t.name`, as a child of `parent`. */
export function declareHpa(a: ScalingArgs, t: ScalerTarget, parent: pulumi.Resource): Scaler {
  const utilization = (resource: string, averageUtilization: number) => ({
    type: "Resource",
    resource: { name: resource, target: { type: "Utilization", averageUtilization } },
  });
  const hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    t.name,
    {
      metadata: metadataOf(t),
      spec: {
        scaleTargetRef: scaleTargetRef(t),
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: [utilization("cpu", a.cpuUtilization), ...(a.memoryUtilization === undefined ? [] : [utilization("memory", a.memoryUtilization)])],
      },
    },
    { parent },
  );
  return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: t.name, resource: hpa };
}

/** Declares a KEDA ScaledObject on the request rate (and memory) for the Deployment `t.name`, as a child of `parent`. */
export function declareScaledObject(a: ScalingArgs, t: ScalerTarget, parent: pulumi.Resource): Scaler {
  if (a.requestsPerSecond === undefined) {
    throw new Error("settings.ts requires autoscaling.requestsPerSecond with metric: requests");
  }
  const requests = (service: string): ScaledObjectTrigger => ({
    type: "prometheus",
    name: requestsTrigger,
    // Pods = ceil(total rate / target per pod).
    metricType: "AverageValue",
    metadata: { serverAddress: t.prometheusUrl, query: requestRateQuery(t.namespaceName, service), threshold: String(a.requestsPerSecond) },
  });
  const triggers: ScaledObjectTrigger[] = [
    requests(t.service),
    ...(a.memoryUtilization === undefined ? [] : [{ type: "memory", metricType: "Utilization", metadata: { value: String(a.memoryUtilization) } }]),
  ];
  const scaledObject = new ScaledObject(
    t.name,
    {
      metadata: metadataOf(t),
      spec: {
        scaleTargetRef: scaleTargetRef(t),
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        // As often as Prometheus has a new sample.
        pollingInterval: scrapeIntervalSeconds,
        triggers,
      },
    },
    { parent },
  );
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    name: t.name,
    resource: scaledObject,
    primaryQueries: t.primaryService === undefined ? undefined : { [requestsTrigger]: requestRateQuery(t.namespaceName, t.primaryService) },
  };
}
