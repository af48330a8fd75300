// The pods and events of the four ways a rollout fails, as `kubectl get -o json`
// prints them (test/fixtures/rollout), and a state export with its secrets shown.
// The objects follow the API's shapes and the messages kubelet 1.34 and
// containerd write; they are to be replaced by objects recorded on the real
// nodes of npm run test:e2e once those run here.
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
export const stateText = read("state.json");
export const secrets = JSON.parse(read("state-secrets.json")) as { token: string; password: string; databaseUrl: string };

/** A cluster that answers from the fixtures: `pods` by selector, logs by pod and container. */
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
      return answers.fail?.logs ? Promise.reject(new Error(answers.fail.logs)) : Promise.resolve(answers.logs?.[`${r.pod}/${r.container}`] ?? "");
    },
  };
}
