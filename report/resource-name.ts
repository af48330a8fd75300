// How a resource is named to a reviewer: the kind from its type token and its
// logical name from the URN.
import { parseUrn } from "../policy/urn";

/** "kubernetes:apps/v1:Deployment" -> "Deployment"; "pulumi:providers:kubernetes" -> "provider kubernetes". */
export function kindOfType(type: string): string {
  if (type.startsWith("pulumi:providers:")) {
    return `provider ${type.slice("pulumi:providers:".length)}`;
  }
  return type.split(":").at(-1)?.split("/").at(-1) ?? type;
}

export interface ResourceName {
  kind: string;
  name: string;
  type: string;
}

export function resourceName(urn: string): ResourceName {
  const parsed = parseUrn(urn);
  return parsed ? { kind: kindOfType(parsed.type), name: parsed.name, type: parsed.type } : { kind: "", name: urn, type: "" };
}
