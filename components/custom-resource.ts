// Custom resources with a typed spec: one class per kind, made here, so that
// each kind the program declares is a line that names its schema's type.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface CustomResourceArgs<Spec> {
  metadata: k8s.types.input.meta.v1.ObjectMeta;
  spec: Spec;
}

/** The class of the custom resources of `kind` in `apiVersion`, whose spec is a `Spec`. */
export function customResourceKind<Spec>(apiVersion: string, kind: string) {
  return class extends k8s.apiextensions.CustomResource {
    constructor(name: string, args: CustomResourceArgs<Spec>, opts?: pulumi.CustomResourceOptions) {
      super(name, { apiVersion, kind, metadata: args.metadata, spec: args.spec }, opts);
    }
  };
}
