// A production stack serves the API over TLS only: the bearer token travels in
// every write request.
import { isProduction } from "../../components/settings";
import { stackOf } from "../urn";
import { kindOf, specOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

interface IngressSpecView {
  rules?: { host?: string }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

export const productionTls: ResourceRule = {
  name: "tls-on-production",
  description: "On production stacks (prod, prod-*, production, production-*) every Ingress host is covered by a TLS entry with a secret.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    const stack = stackOf(s.urn);
    if (kindOf(s.type) !== "Ingress" || !isProduction(stack)) {
      return [];
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
