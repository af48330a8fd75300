// The Gateway API HTTPRoute (gateway.networking.k8s.io/v1), typed with its
// CRD schema (@kubernetes-models/gateway-api, types only), so a misspelt
// field fails `tsc`; the CRDs the cluster checks use are pinned in
// scripts/cluster/versions.sh.
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { customResourceKind } from "./custom-resource";

const gatewayApiVersion = "gateway.networking.k8s.io/v1";

export type HttpRouteSpec = NonNullable<IHTTPRoute["spec"]>;

export const HttpRoute = customResourceKind<HttpRouteSpec>(gatewayApiVersion, "HTTPRoute");
