// The API pod: restricted security context, probes on distinct endpoints,
// env from the ConfigMap and Secrets, a grace period the drain fits in.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiPort, appUid, databaseUrlEnv, metricsPort, probePaths, terminationSlackSeconds, tokenEnv } from "./app-contract";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface PodArgs {
  image: pulumi.Input<string>;
  serviceAccountName: pulumi.Input<string>;
  configMapName: pulumi.Input<string>;
  secretName: pulumi.Input<string>;
  /** The Secret that holds DATABASE_URL. */
  databaseSecretName: pulumi.Input<string>;
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  drainDelaySeconds: number;
  shutdownTimeoutSeconds: number;
  /** Spread over nodes and zones when there can be more than one pod. */
  spread: boolean;
  selector: Record<string, string>;
  /** OpenTelemetry resource attributes the pod adds to its own (from the downward API); only when it sends traces. */
  traceAttributes?: Record<string, string>;
}

/**
 * The pod's own identity from the downward API, for its traces' resource:
 * resource attribute -> field. Kubernetes expands $(NAME) in a later
 * variable's value, so OTEL_RESOURCE_ATTRIBUTES can name them.
 */
const downwardAttributes: [attribute: string, variable: string, fieldPath: string][] = [
  ["k8s.pod.name", "K8S_POD_NAME", "metadata.name"],
  ["k8s.pod.uid", "K8S_POD_UID", "metadata.uid"],
  ["k8s.namespace.name", "K8S_NAMESPACE_NAME", "metadata.namespace"],
  ["k8s.node.name", "K8S_NODE_NAME", "spec.nodeName"],
];

/** The variables that give the pod's traces its identity: the downward API's fields, then OTEL_RESOURCE_ATTRIBUTES naming them. */
function traceResourceEnv(attributes: Record<string, string>): k8s.types.input.core.v1.EnvVar[] {
  const fields = downwardAttributes.map(([, name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } }));
  const pairs = [...downwardAttributes.map(([attribute, name]) => `${attribute}=$(${name})`), ...Object.entries(attributes).map(([k, v]) => `${k}=${v}`)];
  return [...fields, { name: "OTEL_RESOURCE_ATTRIBUTES", value: pairs.join(",") }];
}

const ephemeralStorage = { request: "16Mi", limit: "64Mi" };

/** Readiness is probed this often and fails on the first miss, so a drain is seen at once. */
const readiness = { periodSeconds: 2, failureThreshold: 1 };

/**
 * The longest a draining pod keeps receiving new requests: until the readiness
 * probe has seen it fail. The app's drain delay must cover it.
 */
export const readinessWindowSeconds = readiness.periodSeconds * readiness.failureThreshold;

const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path, port: "http" },
  periodSeconds,
  failureThreshold,
  timeoutSeconds: 2,
});

/** Pod Security "restricted" for a pod of one fixed non-root user. */
export function restrictedPodSecurity(uid: number): k8s.types.input.core.v1.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Pod Security "restricted" for a container, with a read-only root file system. */
export function restrictedContainerSecurity(uid: number): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function podSpec(a: PodArgs): PodSpec {
  return {
    serviceAccountName: a.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: a.drainDelaySeconds + a.shutdownTimeoutSeconds + terminationSlackSeconds,
    securityContext: restrictedPodSecurity(appUid),
    topologySpreadConstraints: a.spread
      ? ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
          topologyKey,
          maxSkew: 1,
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: a.selector },
        }))
      : undefined,
    containers: [
      {
        name: "api",
        image: a.image,
        imagePullPolicy: "IfNotPresent",
        ports: [
          { name: "http", containerPort: apiPort, protocol: "TCP" },
          { name: "metrics", containerPort: metricsPort, protocol: "TCP" },
        ],
        envFrom: [{ configMapRef: { name: a.configMapName } }],
        env: [
          { name: tokenEnv, valueFrom: { secretKeyRef: { name: a.secretName, key: tokenEnv } } },
          { name: databaseUrlEnv, valueFrom: { secretKeyRef: { name: a.databaseSecretName, key: databaseUrlEnv } } },
          ...(a.traceAttributes === undefined ? [] : traceResourceEnv(a.traceAttributes)),
        ],
        // The root file system is read-only: local storage is the container's logs.
        resources: {
          requests: { ...a.resources.requests, "ephemeral-storage": ephemeralStorage.request },
          limits: { ...a.resources.limits, "ephemeral-storage": ephemeralStorage.limit },
        },
        // Up to 30 s to start; then liveness restarts a hung process and
        // readiness takes the pod out of the Service while it drains.
        startupProbe: probe(probePaths.startup, 1, 30),
        livenessProbe: probe(probePaths.liveness, 10, 3),
        readinessProbe: probe(probePaths.readiness, readiness.periodSeconds, readiness.failureThreshold),
        // A crash (exit 1: the last JSON log line says why) shows in the pod's
        // status and `kubectl describe`, not only in its logs.
        terminationMessagePolicy: "FallbackToLogsOnError",
        securityContext: restrictedContainerSecurity(appUid),
      },
    ],
  };
}
