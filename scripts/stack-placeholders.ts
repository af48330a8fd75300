// The placeholders the committed stack files carry for values only the user
// knows (a registry account, host names): valid as configuration, so the
// validation lets them through, but a deploy with them cannot work.
// `npm run check` names each one left.

/** Domains reserved for documentation (RFC 2606): nobody can serve a name under them. */
const exampleDomain = /(?:^|\.)(example\.(?:com|net|org))$/;
/** The account in the committed registry addresses (ghcr.io/your-org). */
const placeholderAccount = "your-org";

const parsed = (value: string | undefined): unknown => {
  try {
    return value === undefined ? undefined : JSON.parse(value);
  } catch {
    return undefined;
  }
};

/** The string at `path` in a parsed YAML value, if there is one. */
function at(value: unknown, ...path: string[]): string | undefined {
  let node = value;
  for (const key of path) {
    node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return typeof node === "string" ? node : undefined;
}

/** One line per placeholder left: the key, its value and why it has to change. `config` is the project's keys (loadSettings' input). */
export function placeholdersIn(config: Record<string, string>): string[] {
  const found: string[] = [];
  const registry = at(parsed(config.image), "registry");
  if (registry?.split("/").includes(placeholderAccount)) {
    found.push(`goapi:image.registry: ${registry} (${placeholderAccount} is a placeholder for your account or organization)`);
  }
  const hosts: [string, string | undefined][] = [
    ["goapi:ingress.host", at(parsed(config.ingress), "host")],
    ["goapi:database.external.host", at(parsed(config.database), "external", "host")],
  ];
  for (const [key, host] of hosts) {
    const domain = host === undefined ? undefined : exampleDomain.exec(host)?.[1];
    if (domain !== undefined) {
      found.push(`${key}: ${host ?? ""} (${domain} is reserved for examples: no one can serve it)`);
    }
  }
  return found;
}
