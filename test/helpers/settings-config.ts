// The smallest stack configuration loadSettings accepts, as the CLI hands it
// over (each group as JSON text), for the settings tests to change one key of.

/** A group's value as the CLI passes it: JSON text. */
export const json = (v: unknown): string => JSON.stringify(v);

export const minimal = {
  kubeContext: "kind-goapi",
  image: json({ registry: "localhost:5001" }),
  ingress: json({ host: "goapi.localhost" }),
  database: json({ inCluster: {} }),
} satisfies Record<string, string>;

/**
 * What a production stack needs on top: TLS, an external database with its password, and (a
 * canary by default) the Gateway's HTTPS listener.
 */
export const production = {
  ...minimal,
  ingress: json({ host: "api.example.com", tls: { secretName: "api-tls" } }),
  database: json({ external: { host: "db.example.com" } }),
  databasePassword: "database-password",
  delivery: json({ canary: { gateway: { listener: "websecure" } } }),
} satisfies Record<string, string>;
