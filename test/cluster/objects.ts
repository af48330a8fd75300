// The Kubernetes objects a stack declares, as the Kubernetes provider would
// send them to the API server: secrets revealed, auto-named objects named,
// and references to them pointing at those names.
import { randomBytes } from "node:crypto";
import type { Declared } from "../helpers/mocks";
import { reveal } from "../helpers/values";
import type { KObject } from "./kube";

export interface Applied {
  /** The Pulumi resource name (the prefix of an auto-name). */
  resource: string;
  object: KObject;
}

/** Kinds the provider replaces rather than updates when their data changes. */
const replacedOnChange = new Set(["ConfigMap", "Secret"]);

/** Where one object names another: the key of the reference, the kind it names, the field holding the name. */
const references: Record<string, { kind: string; field: string }> = {
  configMapRef: { kind: "ConfigMap", field: "name" },
  configMapKeyRef: { kind: "ConfigMap", field: "name" },
  configMap: { kind: "ConfigMap", field: "name" },
  secretRef: { kind: "Secret", field: "name" },
  secretKeyRef: { kind: "Secret", field: "name" },
  secret: { kind: "Secret", field: "secretName" },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every Kubernetes object of a run, ready to apply. An object without
 * metadata.name takes the name the mocks answered with, if any, or else
 * `<resource>-<8 hex>` as the provider names it: given the objects of an
 * earlier run, an unchanged object keeps its name and a changed ConfigMap or
 * Secret gets a new one, as the provider's replacement does.
 * Anything of the Kubernetes provider that is not a plain object (a Helm
 * release, a YAML group) is refused rather than skipped.
 */
export function objectsOf(declared: Declared[], previous: Applied[] = []): Applied[] {
  const applied = declared
    .filter((d) => d.type.startsWith("kubernetes:"))
    .map((d): Applied => {
      const object = structuredClone(reveal(d.inputs)) as KObject;
      const [, groupVersion = "", kind = ""] = d.type.split(":");
      const apiVersion = groupVersion.replace(/^core\//, "");
      if (object.apiVersion !== apiVersion || object.kind !== kind) {
        throw new Error(`${d.type} ${d.name}: not a plain Kubernetes object (apiVersion ${object.apiVersion}, kind ${object.kind}); teach test/cluster/objects.ts to apply it`);
      }
      object.metadata = { ...object.metadata };
      // The name the mocks answered with, as the provider answers with the name it gave.
      const answered = (d as { state?: { metadata?: { name?: unknown } } }).state?.metadata?.name;
      if (!object.metadata.name && typeof answered === "string") {
        object.metadata.name = answered;
      }
      return { resource: d.name, object };
    });
  const autoNamed = applied.filter((a) => !a.object.metadata.name);
  for (const a of autoNamed) {
    a.object.metadata.name = nameFor(a, previous);
  }
  for (const a of applied) {
    pointReferences(a.object, applied, autoNamed);
  }
  // Namespaces first: kubectl applies a file in order.
  return [...applied.filter((a) => a.object.kind === "Namespace"), ...applied.filter((a) => a.object.kind !== "Namespace")];
}

function nameFor(a: Applied, previous: Applied[]): string {
  const before = previous.find((p) => p.resource === a.resource && p.object.kind === a.object.kind);
  if (before && (!replacedOnChange.has(a.object.kind) || sameContent(before.object, a.object))) {
    return before.object.metadata.name;
  }
  return `${a.resource}-${randomBytes(4).toString("hex")}`;
}

function sameContent(a: KObject, b: KObject): boolean {
  const withoutName = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, name: undefined } });
  return withoutName(a) === withoutName(b);
}

/**
 * Under mocks, a reference to an auto-named object resolves to whatever the
 * mocks returned for its name (nothing, or a made-up one). Point such
 * references at the name the object got; leave references to objects the
 * stack does not declare (say, a TLS Secret from cert-manager) alone.
 */
function pointReferences(node: unknown, applied: Applied[], autoNamed: Applied[], namespace?: string): void {
  if (Array.isArray(node)) {
    for (const n of node) {
      pointReferences(n, applied, autoNamed, namespace);
    }
    return;
  }
  if (!isObject(node)) {
    return;
  }
  const ns = namespace ?? (isObject(node.metadata) && typeof node.metadata.namespace === "string" ? node.metadata.namespace : undefined);
  for (const [key, value] of Object.entries(node)) {
    const ref = references[key];
    if (ref && isObject(value)) {
      const name = value[ref.field];
      const target = referencedAutoName(ref.kind, typeof name === "string" ? name : undefined, ns, applied, autoNamed);
      if (target !== undefined) {
        value[ref.field] = target;
      }
    }
    pointReferences(value, applied, autoNamed, ns);
  }
}

function referencedAutoName(kind: string, name: string | undefined, ns: string | undefined, applied: Applied[], autoNamed: Applied[]): string | undefined {
  const inNamespace = (a: Applied) => a.object.kind === kind && a.object.metadata.namespace === ns;
  const candidates = autoNamed.filter(inNamespace);
  if (name !== undefined && name !== "") {
    const declaredByName = applied.some((a) => inNamespace(a) && !candidates.includes(a) && a.object.metadata.name === name);
    const madeUp = candidates.filter((c) => name === c.resource || new RegExp(`^${c.resource}-[0-9a-f]{8}$`).test(name));
    if (declaredByName || madeUp.length === 0) {
      return undefined;
    }
    return unique(kind, name, madeUp);
  }
  return candidates.length === 0 ? undefined : unique(kind, "(no name)", candidates);
}

function unique(kind: string, name: string, candidates: Applied[]): string {
  if (candidates.length !== 1) {
    throw new Error(`a reference to ${kind} ${name} could mean any of ${candidates.map((c) => c.resource).join(", ")}`);
  }
  return candidates[0]?.object.metadata.name ?? "";
}

/** kind/namespace/name, as kubectl and the report print it. */
export const idOf = (o: KObject): string => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
