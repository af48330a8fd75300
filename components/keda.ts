// KEDA's ScaledObject, typed with the CRD schema (@kubernetes-models/keda,
// types only, like the Prometheus Operator's), so a misspelt field fails `tsc`.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { CustomResourceArgs } from "./prometheus-operator";

export const kedaApiVersion = "keda.sh/v1alpha1";
export const kedaKinds = [`${kedaApiVersion}/ScaledObject`] as const;

export type ScaledObjectSpec = IScaledObject["spec"];
export type ScaledObjectTrigger = ScaledObjectSpec["triggers"][number];

/** Scales a workload on its triggers through an HPA that KEDA makes and owns. */
export class ScaledObject extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: CustomResourceArgs<ScaledObjectSpec>, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: kedaApiVersion, kind: "ScaledObject", metadata: args.metadata, spec: args.spec }, opts);
  }
}
