// Shapes of names that Kubernetes, DNS and registries accept.

/** RFC 1123 label: namespaces, object names. */
export const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS host name of one or more labels, no wildcard, no trailing dot. */
export const hostName = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** A registry address: host[:port], optionally followed by a path (ghcr.io/org). */
export const registryAddress = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** An image repository path below the registry. */
export const repositoryPath = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** A Docker tag. */
export const imageTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An image pinned by digest: repository@sha256:<64 hex>. */
export const digestRef = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[a-f0-9]{64}$/;

/** A POSIX-style environment variable name. */
export const envName = /^[A-Z_][A-Z0-9_]*$/;

/** Registries on the developer's own machine, which take pushes without credentials. */
export function isLocalRegistry(address: string): boolean {
  const host = address.split("/")[0]?.split(":")[0] ?? "";
  return host === "localhost" || host === "127.0.0.1" || host.endsWith(".localhost") || host === "kind-registry";
}
