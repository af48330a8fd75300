// Pulumi URNs: urn:pulumi:<stack>::<project>::<parent types$>type::<name>.

export interface ParsedUrn {
  stack: string;
  project: string;
  /** The resource's own type token (the last of the qualified type). */
  type: string;
  /** Parent types, outermost first. */
  parentTypes: string[];
  name: string;
}

const urnPattern = /^urn:pulumi:([^:]*)::([^:]*)::(.*?)::(.*)$/s;

export function parseUrn(urn: string): ParsedUrn | undefined {
  const m = urnPattern.exec(urn);
  if (!m) {
    return undefined;
  }
  const [, stack = "", project = "", qualifiedType = "", name = ""] = m;
  const types = qualifiedType.split("$");
  return { stack, project, type: types.at(-1) ?? "", parentTypes: types.slice(0, -1), name };
}

/** The stack a URN belongs to ("" if it is not a URN). */
export function stackOf(urn: string): string {
  return parseUrn(urn)?.stack ?? "";
}
