// A production stack serves the API over TLS only: the bearer token travels in
// every write request. Through an Ingress, its spec.tls says so. Through a
// Gateway (a canary stack), the certificate is a listener's, which the stack
// cannot see: its routes must at least attach to a named listener (the HTTPS
// one), since a route that names none is served by every listener of the
// Gateway, a plain-HTTP one included.
import { isProduction } from "../../components/settings";
import { stackOf } from "../urn";
import { kindOf, specOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

interface IngressSpecView {
  rules?: { host?: string }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

interface ParentRefView {
  name?: string;
  sectionName?: string;
}

/** Where each Gateway route kind keeps the Gateways it attaches to. */
const routeParents: Record<string, { path: string; read: (spec: Record<string, unknown>) => unknown }> = {
  "kubernetes:flagger.app/v1beta1:Canary": { path: "spec.service.gatewayRefs", read: (spec) => (spec.service as { gatewayRefs?: unknown } | undefined)?.gatewayRefs },
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": { path: "spec.parentRefs", read: (spec) => spec.parentRefs },
};

function gatewayRouteProblems(stack: string, s: Subject): string[] {
  const parents = routeParents[s.type];
  if (parents === undefined) {
    return [];
  }
  const refs = parents.read(specOf(s.props));
  const list = Array.isArray(refs) ? (refs as ParentRefView[]) : [];
  const unnamed = list.filter((r) => typeof r.sectionName !== "string" || r.sectionName === "").map((r) => r.name ?? "?");
  if (list.length === 0 || unnamed.length > 0) {
    return [
      `stack ${stack} is production: ${parents.path} must name the Gateway's HTTPS listener (sectionName) ${unnamed.length > 0 ? `of ${unnamed.join(", ")}` : "on a Gateway"}, or the route is served by a plain-HTTP listener too (set goapi:delivery.canary.gateway.listener)`,
    ];
  }
  return [];
}

export const productionTls: ResourceRule = {
  name: "tls-on-production",
  description:
    "On production stacks (prod, prod-*, production, production-*) every Ingress host is covered by a TLS entry with a secret, and every Gateway route (a Flagger Canary's gatewayRefs, an HTTPRoute's parentRefs) names the listener it attaches to.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    const stack = stackOf(s.urn);
    if (!isProduction(stack)) {
      return [];
    }
    if (kindOf(s.type) !== "Ingress") {
      return gatewayRouteProblems(stack, s);
    }
    const spec = specOf(s.props) as IngressSpecView;
    const tls = (spec.tls ?? []).filter((t) => t.secretName !== undefined && t.secretName !== "");
    const covered = new Set(tls.flatMap((t) => t.hosts ?? []));
    const hosts = (spec.rules ?? []).map((r) => r.host ?? "*");
    const uncovered = hosts.filter((h) => !covered.has(h));
    if (hosts.length === 0 || uncovered.length > 0) {
      return [`stack ${stack} is production: spec.tls must cover ${uncovered.length > 0 ? uncovered.join(", ") : "the Ingress"} with a secretName (set goapi:ingress.tls)`];
    }
    return [];
  },
};
