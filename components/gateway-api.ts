// The Gateway API HTTPRoute (gateway.networking.k8s.io/v1), typed with its
// CRD schema (@kubernetes-models/gateway-api, types only), so a misspelt
// field fails `tsc`; the CRDs the cluster checks use are pinned in
// scripts/cluster/versions.sh.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { CustomResourceArgs } from "./prometheus-operator";

export const gatewayApiVersion = "gateway.networking.k8s.io/v1";

export type HttpRouteSpec = NonNullable<IHTTPRoute["spec"]>;

export class HttpRoute extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: CustomResourceArgs<HttpRouteSpec>, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: gatewayApiVersion, kind: "HTTPRoute", metadata: args.metadata, spec: args.spec }, opts);
  }
}
