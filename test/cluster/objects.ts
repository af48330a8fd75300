// The Kubernetes objects a stack declares, as the Kubernetes provider would
// send them to the API server: secrets revealed, and auto-named objects under
// the name the provider gave them (the mocks answer as the provider does, and
// the references to them in other objects already carry that name).
import type { Declared } from "../helpers/mocks";
import { reveal } from "../helpers/values";
import type { KObject } from "./kube";

export interface Applied {
  /** The Pulumi resource name (the prefix of an auto-name). */
  resource: string;
  object: KObject;
}

/**
 * Every Kubernetes object of a run, ready to apply, namespaces first (kubectl
 * applies a file in order). Anything of the Kubernetes provider that is not a
 * plain object (a Helm release, a YAML group) is refused rather than skipped.
 */
export function objectsOf(declared: Declared[]): Applied[] {
  const applied = declared
    .filter((d) => d.type.startsWith("kubernetes:"))
    .map((d): Applied => {
      const object = structuredClone(reveal(d.inputs)) as KObject;
      const [, groupVersion = "", kind = ""] = d.type.split(":");
      if (object.apiVersion !== groupVersion.replace(/^core\//, "") || object.kind !== kind) {
        throw new Error(`${d.type} ${d.name}: not a plain Kubernetes object (apiVersion ${object.apiVersion}, kind ${object.kind}); teach test/cluster/objects.ts to apply it`);
      }
      const answered = (d.state.metadata as { name?: unknown } | undefined)?.name;
      const name = object.metadata.name || answered;
      if (typeof name !== "string" || name === "") {
        throw new Error(`${d.type} ${d.name}: no metadata.name, neither declared nor given`);
      }
      object.metadata = { ...object.metadata, name };
      return { resource: d.name, object };
    });
  return [...applied.filter((a) => a.object.kind === "Namespace"), ...applied.filter((a) => a.object.kind !== "Namespace")];
}

/** kind/namespace/name, as kubectl and the report print it. */
export const idOf = (o: KObject): string => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
