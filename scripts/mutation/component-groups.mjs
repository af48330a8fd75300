// components/ by group for mutation testing (stryker.config.mjs,
// scripts/mutation/run.sh, docs/testing.md): each group's files are judged by
// the tests that are theirs, static mutants included. A file belongs to the
// group whose tests import it, or import the component that declares what the
// file describes. Every file of components/ is in exactly one group.
const testFiles = (...names) => names.map((t) => `<rootDir>/test/${t}.test.ts`);
const files = (...names) => names.map((f) => `components/${f}.ts`);

/** components/ by group: the files, and the tests that are theirs. */
export const componentGroups = {
  // The stack settings and the files that hold their rules, schema included.
  settings: {
    mutate: files("settings", "observability-settings", "delivery-settings", "cidr-setting", "config-messages"),
    tests: testFiles("settings", "settings-bounds", "settings-rules", "observability-settings", "delivery-settings", "app-contract"),
  },
  "app-contract": { mutate: files("app-contract"), tests: testFiles("app-contract", "settings-bounds") },
  "app-source": { mutate: files("app-source"), tests: testFiles("app-source") },
  database: { mutate: files("database"), tests: testFiles("database") },
  duration: { mutate: files("duration"), tests: testFiles("duration") },
  quantity: { mutate: files("quantity"), tests: testFiles("quantity") },
  names: { mutate: files("names"), tests: testFiles("names") },
  tracing: { mutate: files("tracing"), tests: testFiles("observability-settings") },
  image: { mutate: files("image", "image-args"), tests: testFiles("image", "image-args") },
  alerts: { mutate: files("alerts"), tests: testFiles("alert-rules") },
  // ApiMonitoring and what it declares, and the CRD check it shares with ApiDelivery.
  monitoring: { mutate: files("monitoring", "prometheus-operator", "cluster-apis"), tests: testFiles("monitoring") },
  // The dashboard: its panels as Grafana reads them, its queries under promtool, as the stacks declare them.
  dashboard: { mutate: files("dashboard"), tests: testFiles("dashboard", "observability-promql", "monitoring") },
  // ApiService and what it declares: pods, migration Job, network policies.
  // Its canary and request-rate branches (the pods' selector, skipAwait, what
  // it hands ApiDelivery, the canary's outputs) are declared only by the
  // delivery tests' stacks, so those judge it too.
  "api-service": { mutate: files("api-service", "pod", "migration", "egress", "labels"), tests: testFiles("api-service", "delivery") },
  // The autoscaler: ApiService's HPA, and the canary's KEDA ScaledObjects (ApiDelivery).
  scaler: { mutate: files("scaler", "keda"), tests: testFiles("api-service", "delivery") },
  postgres: { mutate: files("postgres"), tests: testFiles("postgres") },
  // The canary release: ApiDelivery, Flagger's Canary, the HTTPRoute.
  delivery: {
    mutate: files("delivery", "canary", "flagger", "gateway-api", "custom-resource"),
    tests: testFiles("delivery"),
  },
  // What only the whole program runs: the cluster provider, the barrel file.
  program: { mutate: files("cluster", "index"), tests: testFiles("composition") },
};

