// Writes the alert rules the local stack declares, as a Prometheus rule file,
// for npm run test:observability: the program runs under the same Pulumi
// mocks as the unit tests, with Pulumi.local.yaml as the CLI would pass it
// and every alert's `for` shortened through goapi:observability (the one
// setting the check changes; the expressions are the ones declared).
// Usage: rules.ts OUT_FILE FOR_DURATION
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { installMocks, settle } from "../../test/helpers/mocks";
import { reveal } from "../../test/helpers/values";
import { cliConfig, stackFilePath } from "../stack-config";

const alertsWithFor = ["cpu", "latency", "errors", "noReadyPods", "database", "maxReplicas"] as const;

async function main(out: string, forDuration: string): Promise<void> {
  const { config, secretKeys } = cliConfig(stackFilePath("local"));
  const observability = JSON.parse(config["goapi:observability"] ?? "{}") as { alerts?: Record<string, Record<string, unknown>> };
  const alerts = observability.alerts ?? {};
  for (const name of alertsWithFor) {
    alerts[name] = { ...alerts[name], for: forDuration };
  }
  config["goapi:observability"] = JSON.stringify({ ...observability, alerts });
  pulumi.runtime.setAllConfig(config, secretKeys);
  const declared = await installMocks("local");
  await import("../../index");
  await settle();
  const rule = declared.find((d) => d.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
  if (rule === undefined) {
    throw new Error("the local stack declared no PrometheusRule");
  }
  const { spec } = reveal(rule.inputs) as { spec: { groups: unknown[] } };
  fs.writeFileSync(out, stringify({ groups: spec.groups }, { lineWidth: 0 }));
}

const [out, forDuration] = process.argv.slice(2);
if (out === undefined || forDuration === undefined) {
  console.error("usage: rules.ts OUT_FILE FOR_DURATION");
  process.exit(2);
}
main(out, forDuration).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
