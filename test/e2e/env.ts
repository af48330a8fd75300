// What scripts/e2e/up.sh tells the checks: its folder's env file (the
// kubeconfig, the tools, the images it built, pinned by digest).
import * as fs from "node:fs";
import * as path from "node:path";

const state = process.env.GOAPI_E2E_STATE ?? "";
if (state === "") {
  throw new Error("GOAPI_E2E_STATE is unset: run the checks on real nodes with npm run test:e2e");
}

const values = new Map(
  fs
    .readFileSync(path.join(state, "env"), "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
);
const value = (key: string): string => {
  const v = values.get(key);
  if (v === undefined || v === "") {
    throw new Error(`${state}/env has no ${key}`);
  }
  return v;
};

export const e2e = {
  state,
  /** Leave the stacks running at the end (npm run test:e2e -- --keep). */
  keep: process.env.GOAPI_E2E_KEEP === "1",
  loadgen: value("loadgen"),
  podCidr: "10.85.0.0/24",
  /** The bridge's address: where pods reach the API server (a DNAT to its loopback port). */
  nodeAddress: "10.85.0.1",
  images: {
    app: value("app_image"),
    appNext: value("app_image_next"),
    appExits: value("app_image_exits"),
    appUnready: value("app_image_unready"),
    appBadMigration: value("app_image_bad_migration"),
    postgres: value("postgres_image"),
    client: value("client_image"),
    /** The canary checks' faulty releases (built with GOAPI_E2E_DELIVERY=1: npm run test:delivery). */
    get appSlow(): string {
      return value("app_image_slow");
    },
    get appFailing(): string {
      return value("app_image_failing");
    },
  },
};
