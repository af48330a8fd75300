// The pods, events and logs of the four ways a rollout fails, recorded on the
// real nodes of npm run test:e2e (test/e2e/explain.ts writes them, scrubbed:
// each secret replaced by the stand-in of state-secrets.json, identifiers
// and container IDs dropped), and a state export with its secrets shown.
// crashloop: a release that logs its secrets, then exits at start; unready: a
// readiness probe that never passes; imagepull: the migration Job of an image
// the registry does not hold; migration-failed: a migration that exits 1.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Cluster, LogRequest } from "../../rollout/cluster";
import { eventList, podList, type KubeEvent, type Pod } from "../../rollout/kube-objects";

export const fixtureDir = path.join(__dirname, "..", "fixtures", "rollout");
export const read = (file: string) => fs.readFileSync(path.join(fixtureDir, file), "utf8");

export const cases = ["crashloop", "imagepull", "unready", "migration-failed"] as const;
export type Case = (typeof cases)[number];

export const podsOf = (c: Case): Pod[] => podList.parse(JSON.parse(read(`${c}.pods.json`))).items;
export const eventsOf = (c: Case): KubeEvent[] => eventList.parse(JSON.parse(read(`${c}.events.json`))).items;
/** The logs kubectl gave for each failing container: "pod/container", with "/previous" for the run that ended. */
export const logsOf = (c: Case): Record<string, string> => JSON.parse(read(`${c}.logs.json`)) as Record<string, string>;
/** The events of a case, by the pod they are about. */
export const eventsByPod = (c: Case): Record<string, KubeEvent[]> => {
  const by: Record<string, KubeEvent[]> = {};
  for (const e of eventsOf(c)) {
    const pod = (e as { involvedObject?: { name?: string } }).involvedObject?.name ?? "";
    (by[pod] ??= []).push(e);
  }
  return by;
};
export const stateText = read("state.json");
export const secrets = JSON.parse(read("state-secrets.json")) as { token: string; password: string; databaseUrl: string };

/** A cluster that answers from the fixtures: `pods` by selector, logs by "pod/container" ("/previous" for the run that ended). */
export function fakeCluster(answers: {
  pods: Record<string, Pod[]>;
  events?: Record<string, KubeEvent[]>;
  logs?: Record<string, string>;
  fail?: { events?: string; logs?: string; pods?: string };
}): Cluster & { logRequests: LogRequest[] } {
  const logRequests: LogRequest[] = [];
  return {
    logRequests,
    pods: (_ns, selector) => (answers.fail?.pods ? Promise.reject(new Error(answers.fail.pods)) : Promise.resolve(answers.pods[selector] ?? [])),
    events: (_ns, pod) => (answers.fail?.events ? Promise.reject(new Error(answers.fail.events)) : Promise.resolve(answers.events?.[pod] ?? [])),
    logs: (r) => {
      logRequests.push(r);
      return answers.fail?.logs ? Promise.reject(new Error(answers.fail.logs)) : Promise.resolve(answers.logs?.[`${r.pod}/${r.container}${r.previous ? "/previous" : ""}`] ?? "");
    },
  };
}
