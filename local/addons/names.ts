// Names the local cluster, its registry and the stack must agree on; the
// scripts read the same values from scripts/lib/local.sh (a test compares them).
export const localNames = {
  cluster: "goapi",
  registry: "localhost:5001",
  ingressClass: "traefik",
  ingressNamespace: "traefik",
  host: "goapi.localhost",
} as const;
