// Checks from inside the cluster: a one-shot pod (busybox's wget and
// nslookup) in a namespace of its choosing, or an ephemeral container in a
// running pod (sharing its network, and so its NetworkPolicy). Each reports
// through its termination message, so no exec or log access is needed.
import { eventually } from "../cluster/poll";
import { collection, get, KObject, kubectl, request } from "../cluster/kube";
import { e2e } from "./env";

interface Terminated {
  exitCode: number;
  reason?: string;
  message?: string;
}
interface ProbedPod extends KObject {
  status?: {
    phase?: string;
    containerStatuses?: { state?: { terminated?: Terminated } }[];
    ephemeralContainerStatuses?: { name: string; state?: { terminated?: Terminated } }[];
  };
}

export interface Probe {
  exitCode: number;
  /** What the script wrote to /dev/termination-log. */
  output: string;
}

const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Makes the namespace unless it exists. */
export async function ensureNamespace(name: string): Promise<void> {
  const res = await request("POST", collection("v1", "namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Runs `script` (sh) in a new pod in `namespace` and returns how it ended. */
export async function probeFrom(namespace: string, script: string, seconds = 60): Promise<Probe> {
  await ensureNamespace(namespace);
  const created = await request("POST", collection("v1", "pods", namespace), {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { generateName: "probe-", labels: { "app.kubernetes.io/name": "goapi-e2e-probe" } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "probe", image: e2e.images.client, command: ["sh", "-c", script], securityContext: restricted }],
    },
  });
  if (created.status !== 201) {
    throw new Error(`probe pod in ${namespace}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const name = (created.body as KObject).metadata.name;
  const path = `${collection("v1", "pods", namespace)}/${name}`;
  const ended = await eventually(`probe pod ${namespace}/${name} to end`, seconds, async () => {
    const pod = await get<ProbedPod>(path);
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    return { done: terminated !== undefined, seen: { phase: pod.status?.phase, terminated } };
  });
  await request("DELETE", path);
  return { exitCode: ended.terminated?.exitCode ?? -1, output: ended.terminated?.message ?? "" };
}

/** Runs `script` in an ephemeral container of a running pod: its network, its NetworkPolicy. */
export async function probeInside(namespace: string, pod: string, script: string, seconds = 60): Promise<Probe> {
  const path = `${collection("v1", "pods", namespace)}/${pod}`;
  const current = await get<KObject & { spec: { ephemeralContainers?: unknown[] } }>(path);
  const name = `probe-${(current.spec.ephemeralContainers ?? []).length}`;
  const container = { name, image: e2e.images.client, command: ["sh", "-c", script], securityContext: restricted };
  const patch = JSON.stringify({ spec: { ephemeralContainers: [container] } });
  const res = await kubectl(["--namespace", namespace, "patch", "pod", pod, "--subresource=ephemeralcontainers", "--type=strategic", "--patch", patch]);
  if (res.code !== 0) {
    throw new Error(`ephemeral container in ${namespace}/${pod}: ${res.stderr}`);
  }
  const ended = await eventually(`ephemeral container ${name} in ${pod} to end`, seconds, async () => {
    const p = await get<ProbedPod>(path);
    const terminated = p.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.terminated;
    return { done: terminated !== undefined, seen: { terminated } };
  });
  return { exitCode: ended.terminated?.exitCode ?? -1, output: ended.terminated?.message ?? "" };
}
