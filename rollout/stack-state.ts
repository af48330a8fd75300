// What a stack's state (`pulumi stack export --show-secrets`) tells about its
// rollout: the workloads it declared (even when the update that created them
// failed, and with it the stack's outputs), the Flagger Canaries whose release
// follows the update, how its Kubernetes provider reaches
// the cluster, and every value it holds as a secret, for redaction.
import { z } from "zod";
import { parseJsonDocument } from "./parse-json";

/** The kinds whose pods a failed update waits on. */
export const workloadKinds = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:batch/v1:Job": "Job",
} as const;
export type WorkloadKind = (typeof workloadKinds)[keyof typeof workloadKinds];

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** A label selector, "k=v,k2=v2", as kubectl -l takes it. */
  selector: string;
}

/** How kubectl reaches the cluster the stack's provider deploys to. */
export interface ClusterAccess {
  context?: string;
  /** A path, or the kubeconfig's contents (the provider takes both). */
  kubeconfig?: string;
}

/** The Flagger Canary resources' type in a state export (a CustomResource's type is its apiVersion and kind). */
export const canaryType = "kubernetes:flagger.app/v1beta1:Canary";

/** A Flagger Canary the stack declares: its release is followed after `pulumi up` (rollout/release.ts). */
export interface CanaryRef {
  namespace: string;
  name: string;
}

export interface StackState {
  workloads: Workload[];
  canaries: CanaryRef[];
  cluster: ClusterAccess;
  secrets: string[];
}

const resource = z.looseObject({
  urn: z.string(),
  type: z.string(),
  id: z.string().optional(),
  delete: z.boolean().optional(),
  provider: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});
const stateExport = z.looseObject({
  deployment: z.looseObject({ resources: z.array(resource).nullish() }),
});

/** The marker of a secret value in a state export. */
const secretSig = "4dabf18193072939515e22adb298388d";

function isSecret(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && secretSig in v;
}

/** The value with its secret wrappers taken off (a shown secret's plaintext is JSON). */
function unwrap(v: unknown): unknown {
  if (isSecret(v)) {
    const plaintext = v.plaintext;
    if (typeof plaintext !== "string") {
      return undefined; // not shown: exported without --show-secrets
    }
    try {
      return unwrap(JSON.parse(plaintext));
    } catch {
      return plaintext;
    }
  }
  if (Array.isArray(v)) {
    return v.map(unwrap);
  }
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

/** Every string inside a secret anywhere in `v`. */
function secretsIn(v: unknown, into: Set<string>, inSecret = false): void {
  if (isSecret(v)) {
    secretsIn(unwrap(v), into, true);
  } else if (typeof v === "string") {
    if (inSecret) {
      into.add(v);
    }
  } else {
    const children: unknown[] = Array.isArray(v) ? v : typeof v === "object" && v !== null ? Object.values(v) : [];
    children.forEach((x) => {
      secretsIn(x, into, inSecret);
    });
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function selectorOf(outputs: Record<string, unknown>): string | undefined {
  const labels = record(record(record(outputs.spec).selector).matchLabels);
  const pairs = Object.entries(labels).flatMap(([k, v]) => (typeof v === "string" ? [`${k}=${v}`] : []));
  return pairs.length === 0 ? undefined : pairs.join(",");
}

/** Reads a state export; says what is wrong with it. */
export function readStackState(text: string): StackState {
  const state = parseJsonDocument(text, {
    schema: stateExport,
    notJson: "the stack's state is not JSON (is this the output of pulumi stack export?)",
    what: "a pulumi stack export",
  });
  const resources = (state.deployment.resources ?? []).filter((r) => r.delete !== true);

  const workloads: Workload[] = [];
  const canaries: CanaryRef[] = [];
  const providers = new Set<string>();
  const providerOf = (r: (typeof resources)[number]) => {
    if (r.provider !== undefined) {
      providers.add(r.provider.slice(0, r.provider.lastIndexOf("::")));
    }
  };
  for (const r of resources) {
    if (r.type === canaryType) {
      const metadata = record(record(unwrap(r.outputs)).metadata);
      const name = str(metadata.name);
      const namespace = str(metadata.namespace);
      if (name !== undefined && namespace !== undefined) {
        canaries.push({ namespace, name });
        providerOf(r);
      }
      continue;
    }
    const kind = (workloadKinds as Record<string, WorkloadKind | undefined>)[r.type];
    const outputs = record(unwrap(r.outputs));
    const metadata = record(outputs.metadata);
    const name = str(metadata.name);
    const namespace = str(metadata.namespace);
    const selector = selectorOf(outputs);
    if (kind === undefined || name === undefined || namespace === undefined || selector === undefined) {
      continue;
    }
    workloads.push({ kind, namespace, name, selector });
    providerOf(r);
  }

  // The provider of the workloads and canaries (the program declares one per cluster).
  const provider = resources.find((r) => providers.has(r.urn));
  const inputs = record(unwrap(provider?.inputs));
  const cluster: ClusterAccess = { context: str(inputs.context), kubeconfig: str(inputs.kubeconfig) };

  const secrets = new Set<string>();
  for (const r of resources) {
    secretsIn(r.inputs, secrets);
    secretsIn(r.outputs, secrets);
    if (r.type === "kubernetes:core/v1:Secret") {
      // data holds the values base64-encoded; a pod sees (and may log) them decoded.
      for (const v of Object.values(record(record(unwrap(r.outputs)).data))) {
        if (typeof v === "string") {
          secrets.add(Buffer.from(v, "base64").toString("utf8"));
        }
      }
    }
  }
  return { workloads, canaries, cluster, secrets: [...secrets] };
}
