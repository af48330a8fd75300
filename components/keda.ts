// KEDA's ScaledObject, typed with the CRD schema (@kubernetes-models/keda,
// types only, like the Prometheus Operator's), so a misspelt field fails `tsc`.
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { customResourceKind } from "./custom-resource";

const kedaApiVersion = "keda.sh/v1alpha1";

export type ScaledObjectSpec = IScaledObject["spec"];
export type ScaledObjectTrigger = ScaledObjectSpec["triggers"][number];

/** Scales a workload on its triggers through an HPA that KEDA makes and owns. */
export const ScaledObject = customResourceKind<ScaledObjectSpec>(kedaApiVersion, "ScaledObject");
