// Every resource names its provider. A default provider is configured from the
// environment (the ambient kubeconfig context, DOCKER_HOST, ...), so the same
// program could land on whatever cluster the machine happens to point at.
import { parseUrn } from "../urn";
import type { ResourceRule, Subject } from "./rule";

/** The engine names the providers it makes up "default" or "default_<version>". */
function isDefaultProvider(providerUrn: string): boolean {
  const parsed = parseUrn(providerUrn);
  return parsed !== undefined && parsed.type.startsWith("pulumi:providers:") && /^default(_|$)/.test(parsed.name);
}

export const explicitProvider: ResourceRule = {
  name: "explicit-provider",
  description: "No resource uses a default provider: each names the stack's explicit provider.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    // Components and the stack itself have no provider.
    if (s.provider === undefined || !isDefaultProvider(s.provider)) {
      return [];
    }
    const pkg = parseUrn(s.provider)?.type.replace("pulumi:providers:", "") ?? "?";
    // Dynamic resources always run on the default pulumi-nodejs provider: their code is the program's own.
    if (pkg === "pulumi-nodejs") {
      return [];
    }
    return [`uses the default ${pkg} provider (configured from the environment); pass the stack's provider with { provider } or { parent }`];
  },
};
