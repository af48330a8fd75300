// ApiDelivery: the API's objects whose kinds come from the delivery
// controllers' CRDs: a KEDA ScaledObject (autoscaling.metric: requests) and a
// Flagger canary (delivery.strategy: canary). Like ApiMonitoring, it first asks
// the cluster whether it serves those kinds, so that a stack on a cluster
// without Flagger, KEDA or the Gateway API fails its preview with the remedy,
// instead of `up` failing on "no matches for kind" half-way.
import type * as pulumi from "@pulumi/pulumi";
import { declareCanaryRelease } from "./canary";
import { CustomResourcesComponent, KindsCheck } from "./cluster-apis";
import type { CanarySettings } from "./delivery-settings";
import { declareScaledObject, Scaler, ScalerTarget, ScalingArgs } from "./scaler";

/** The kinds each piece needs, as Helm's Capabilities names them. */
export const deliveryKinds = {
  requests: ["keda.sh/v1alpha1/ScaledObject"],
  canary: ["flagger.app/v1beta1/Canary", "flagger.app/v1beta1/MetricTemplate", "gateway.networking.k8s.io/v1/HTTPRoute"],
} as const;

/** What to do about a cluster without them. */
export const missingDeliveryRemedy = (needs: { requests: boolean; canary: boolean }): string =>
  [
    needs.canary ? "goapi:delivery.strategy canary needs Flagger and the Gateway API (their CRDs and controllers)" : undefined,
    needs.requests ? "goapi:autoscaling.metric requests needs KEDA" : undefined,
  ]
    .filter((s) => s !== undefined)
    .join("; ") +
  ": install them (the local stack's add-ons, local/addons, do; docs/delivery.md), or set goapi:delivery.strategy rolling and goapi:autoscaling.metric cpu, then run the preview again.";

// A type, not an interface: ComponentResource takes its args as pulumi.Inputs.
export type ApiDeliveryArgs = {
  /** The scaled Deployment and where the ScaledObject finds its pods' metrics. */
  target: ScalerTarget;
  /** Scale on the request rate (a ScaledObject declared here), or with the HPA the ApiService declared. */
  scaling: { kind: "requests"; autoscaling: ScalingArgs } | { kind: "hpa"; hpa: Scaler };
  canary?: { settings: CanarySettings; host: string; path: string };
  /** Before declaring anything, check that this cluster serves the kinds; unset in render mode (no cluster to ask). */
  cluster?: KindsCheck;
};

export class ApiDelivery extends CustomResourcesComponent<ApiDeliveryArgs> {
  constructor(name: string, args: ApiDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:ApiDelivery", name, args, opts);
  }

  protected kindsOf(args: ApiDeliveryArgs): { kinds: readonly string[]; remedy: string } {
    const needs = { requests: args.scaling.kind === "requests", canary: args.canary !== undefined };
    return { kinds: [...(needs.requests ? deliveryKinds.requests : []), ...(needs.canary ? deliveryKinds.canary : [])], remedy: missingDeliveryRemedy(needs) };
  }

  protected declare(name: string, args: ApiDeliveryArgs): void {
    const scaler = args.scaling.kind === "requests" ? declareScaledObject(args.scaling.autoscaling, args.target, this) : args.scaling.hpa;
    if (args.canary !== undefined) {
      declareCanaryRelease(
        name,
        {
          namespace: args.target.namespace,
          deployment: args.target.name,
          scaler,
          canary: args.canary.settings,
          host: args.canary.host,
          path: args.canary.path,
          prometheusUrl: args.target.prometheusUrl,
          labels: args.target.labels,
        },
        this,
      );
    }
  }
}
