// Small Kubernetes objects for the policy rule tests: each builder returns a
// compliant object; a test changes one thing to break one rule.
import type { Subject } from "../../policy/rules";
import { requiredAlerts } from "../../policy/rules/hpa-alerts";

export const stack = "dev";
const digest = `sha256:${"a".repeat(64)}`;

export const labels = {
  "app.kubernetes.io/name": "goapi",
  "app.kubernetes.io/instance": "goapi-dev",
  "app.kubernetes.io/managed-by": "pulumi",
};

export function subject(type: string, name: string, props: Record<string, unknown>, onStack = stack): Subject {
  return {
    type,
    name,
    urn: `urn:pulumi:${onStack}::goapi::goapi:index:ApiService$${type}::${name}`,
    props,
    provider: `urn:pulumi:${onStack}::goapi::pulumi:providers:kubernetes::cluster`,
  };
}

export function container(change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "api",
    image: `ghcr.io/acme/goapi@${digest}`,
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
    livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    ...change,
  };
}

/** The pod-level securityContext of a compliant pod. */
export const podSecurity = { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } };

export function podSpec(containers = [container()], change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    automountServiceAccountToken: false,
    securityContext: podSecurity,
    containers,
    ...change,
  };
}

/** A container securityContext with `change` applied on top of the compliant one. */
export function securedContainer(change: Record<string, unknown>): Record<string, unknown> {
  return container({
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, ...change },
  });
}

export function deployment(pod = podSpec(), spec: Record<string, unknown> = {}): Subject {
  return subject("kubernetes:apps/v1:Deployment", "goapi", {
    metadata: { name: "goapi", namespace: "goapi", labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod }, ...spec },
  });
}

export function hpa(minReplicas = 1, target = "goapi", kind = "Deployment"): Subject {
  return subject("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "goapi", {
    metadata: { name: "goapi", namespace: "goapi", labels },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind, name: target }, minReplicas, maxReplicas: 3 },
  });
}

/** A KEDA ScaledObject for the Deployment of deployment(); `spec` changes its spec. */
export function scaledObject(spec: Record<string, unknown> = {}): Subject {
  return subject("kubernetes:keda.sh/v1alpha1:ScaledObject", "goapi", {
    metadata: { name: "goapi", namespace: "goapi", labels },
    spec: { scaleTargetRef: { name: "goapi" }, minReplicaCount: 1, maxReplicaCount: 3, triggers: [], ...spec },
  });
}

/** The HPA of hpa() with `change` applied to its spec. */
export function hpaWith(change: Record<string, unknown>): Subject {
  const s = hpa();
  const spec = (s.props as { spec: Record<string, unknown> }).spec;
  return { ...s, props: { ...s.props, spec: { ...spec, ...change } } };
}

export function pdb(matchLabels: Record<string, string> = labels): Subject {
  return subject("kubernetes:policy/v1:PodDisruptionBudget", "goapi", {
    metadata: { name: "goapi", namespace: "goapi", labels },
    spec: { maxUnavailable: 1, selector: { matchLabels } },
  });
}

/** `s` moved to `namespace` (undefined: no namespace in its metadata). */
export function inNamespace(s: Subject, namespace: string | undefined): Subject {
  const props = s.props as { metadata: Record<string, unknown> };
  return { ...s, props: { ...s.props, metadata: { ...props.metadata, namespace } } };
}

export function service(type = "ClusterIP"): Subject {
  return subject("kubernetes:core/v1:Service", "goapi", { metadata: { name: "goapi", labels }, spec: { type, ports: [{ port: 80 }] } });
}

export function ingress(onStack: string, tls?: unknown, hosts: (string | undefined)[] = ["goapi.example.com"]): Subject {
  return subject(
    "kubernetes:networking.k8s.io/v1:Ingress",
    "goapi",
    { metadata: { name: "goapi", labels }, spec: { rules: hosts.map((host) => ({ host })), tls } },
    onStack,
  );
}

const gatewayRef = (sectionName?: string) => ({ name: "traefik-gateway", namespace: "traefik", ...(sectionName === undefined ? {} : { sectionName }) });

/** A Flagger Canary routing through the Gateway listener(s) given (undefined: no sectionName); refs: its gatewayRefs as given. */
export function canaryRoute(onStack: string, listeners: (string | undefined)[] = ["websecure"], refs?: unknown): Subject {
  return subject(
    "kubernetes:flagger.app/v1beta1:Canary",
    "goapi",
    { metadata: { name: "goapi", labels }, spec: { service: { port: 80, gatewayRefs: refs ?? listeners.map(gatewayRef) } } },
    onStack,
  );
}

/** An HTTPRoute attached to the Gateway listener(s) given (undefined: no sectionName). */
export function httpRoute(onStack: string, listeners: (string | undefined)[] = ["websecure"]): Subject {
  return subject(
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    "goapi-internal-users",
    { metadata: { name: "goapi-internal-users", labels }, spec: { parentRefs: listeners.map(gatewayRef), hostnames: ["goapi.example.com"] } },
    onStack,
  );
}

export function namespace(enforce?: string): Subject {
  const podSecurity = enforce === undefined ? {} : { "pod-security.kubernetes.io/enforce": enforce };
  return subject("kubernetes:core/v1:Namespace", "goapi", { metadata: { name: "goapi", labels: { ...labels, ...podSecurity } } });
}

export function onProvider(s: Subject, provider: string | undefined): Subject {
  return { ...s, provider };
}

/**
 * A PrometheusRule with the goapi alerts (all of them unless `without` names one), the ceiling's at `max`
 * pods, or with `ceiling` as its expression; `type` makes another kind of object of it, and `emptyGroup`
 * adds a group without rules.
 */
export function prometheusRule(o: { namespace?: string; max?: number; without?: string; ceiling?: unknown; type?: string; emptyGroup?: boolean } = {}): Subject {
  const ceiling = o.ceiling ?? `count by (service) (goapi_build_info{namespace="goapi",job="goapi"}) >= ${String(o.max ?? 3)}`;
  const rules = requiredAlerts
    .filter((alert) => alert !== o.without)
    .map((alert) => ({ alert, expr: alert === "GoapiAtMaxReplicas" ? ceiling : "vector(1) > 0" }));
  const groups = [...(o.emptyGroup === true ? [{ name: "empty" }] : []), { name: "goapi.goapi", rules }];
  return subject(o.type ?? "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "goapi", {
    metadata: { name: "goapi", namespace: o.namespace ?? "goapi", labels },
    spec: { groups },
  });
}
