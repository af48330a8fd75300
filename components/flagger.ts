// Flagger's custom resources the program declares (flagger.app/v1beta1, the
// CRDs of the version pinned in scripts/cluster/versions.sh). No typed models
// of them are published, so these interfaces name the part of the schema the
// program uses; `npm run test:cluster` applies them with strict field
// validation against the pinned CRDs, so a misspelt field fails there.
import { customResourceKind } from "./custom-resource";

const flaggerApiVersion = "flagger.app/v1beta1";

interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/** Labels and annotations Flagger puts on a Service it generates. */
interface CustomMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface CanaryMetric {
  name: string;
  /** The window the query rates over ({{ interval }} in the template). */
  interval?: string;
  thresholdRange: { min?: number; max?: number };
  templateRef: { name: string; namespace?: string };
}

export interface CanarySpec {
  /** The router: gatewayapi:v1 writes a Gateway API HTTPRoute. */
  provider: string;
  /** The Deployment whose pod template is the release candidate. */
  targetRef: ObjectRef;
  /** Its scaler, which Flagger copies for the primary. */
  autoscalerRef?: ObjectRef & { kind: "HorizontalPodAutoscaler" | "ScaledObject"; primaryScalerQueries?: Record<string, string> };
  /** How long a rollout of the candidate may stall before the release fails. */
  progressDeadlineSeconds?: number;
  service: {
    /** The Service (and HTTPRoute) names; the target's name when unset. */
    name?: string;
    port: number;
    targetPort?: number | string;
    portName?: string;
    /** Add the pod's other container ports (metrics) to the generated Services. */
    portDiscovery?: boolean;
    hosts?: string[];
    gatewayRefs?: { name: string; namespace?: string; sectionName?: string }[];
    match?: { uri?: { prefix?: string } }[];
    apex?: CustomMetadata;
    primary?: CustomMetadata;
    canary?: CustomMetadata;
  };
  analysis: {
    interval: string;
    /** Failed checks before the rollback. */
    threshold: number;
    stepWeights: number[];
    metrics: CanaryMetric[];
  };
}

export interface MetricTemplateSpec {
  provider: { type: "prometheus"; address: string };
  /** PromQL with Flagger's {{ namespace }}, {{ target }} and {{ interval }}; it must return one number. */
  query: string;
}

/** A release of `targetRef`'s pod template through weighted steps, judged by metrics. */
export const Canary = customResourceKind<CanarySpec>(flaggerApiVersion, "Canary");

/** A query a Canary's analysis runs each interval. */
export const MetricTemplate = customResourceKind<MetricTemplateSpec>(flaggerApiVersion, "MetricTemplate");
