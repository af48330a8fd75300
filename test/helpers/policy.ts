// What the program declared under mocks, as the policy rules see a resource
// in the engine: URN, plain inputs and the provider the engine would use.
import type { Subject } from "../../policy/rules";
import type { Declared } from "./mocks";
import { reveal } from "./values";

const project = "goapi";

function providerOf(d: Declared, stack: string): string | undefined {
  if (!d.custom || d.type.startsWith("pulumi:providers:")) {
    return undefined;
  }
  if (d.provider === undefined || d.provider === "") {
    // The engine would make up a default provider for the package.
    const pkg = d.type.split(":")[0] ?? "";
    return `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default`;
  }
  // A provider reference is "<urn>::<id>".
  return d.provider.slice(0, d.provider.lastIndexOf("::"));
}

export function subjectsOf(declared: readonly Declared[], stack: string): Subject[] {
  return declared.map((d) => ({
    type: d.type,
    urn: `urn:pulumi:${stack}::${project}::${d.type}::${d.name}`,
    name: d.name,
    props: reveal(d.inputs) as Record<string, unknown>,
    provider: providerOf(d, stack),
    ignoreChanges: d.ignoreChanges,
  }));
}
