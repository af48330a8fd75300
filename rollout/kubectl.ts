// The cluster through kubectl: it reads every kubeconfig the provider can
// (client certificates, tokens, exec plugins of cloud providers), it is on
// GitHub's hosted runners, and kind nodes carry one, so explaining a rollout
// adds no client library. Each call is bounded in time and output size.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { canaryObject, targetObject } from "./canary-object";
import type { Cluster, LogRequest, ReleaseCluster } from "./cluster";
import { eventList, podList } from "./kube-objects";
import type { ClusterAccess } from "./stack-state";

const timeoutMs = 15_000;
const maxBuffer = 8 * 1024 * 1024;
/** kubectl logs --limit-bytes: enough for the tail we show, never a whole log. */
const logBytes = 64 * 1024;

export interface KubectlCluster extends Cluster, ReleaseCluster {
  /** Removes the kubeconfig file written for kubectl, if any. */
  close(): void;
}

/**
 * `command` runs kubectl (e.g. ["kubectl"], or kubectl inside a kind node);
 * `access` (the stack provider's context and kubeconfig) is passed only to a
 * plain ["kubectl"]: another command brings its own kubeconfig.
 */
export function kubectlCluster(command: readonly string[], access: ClusterAccess): KubectlCluster {
  const [file, ...base] = command;
  if (file === undefined) {
    throw new Error("no kubectl command");
  }
  const global = [...base];
  let scratch: string | undefined;
  if (command.length === 1) {
    if (access.kubeconfig !== undefined) {
      let kubeconfig = access.kubeconfig;
      if (kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{")) {
        // The provider was given the contents: kubectl wants a file, readable by this user only.
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-rollout-"));
        kubeconfig = path.join(scratch, "kubeconfig");
        fs.writeFileSync(kubeconfig, access.kubeconfig, { mode: 0o600 });
      }
      global.push(`--kubeconfig=${kubeconfig}`);
    }
    if (access.context !== undefined) {
      global.push(`--context=${access.context}`);
    }
  }

  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(file, [...global, ...args], { timeout: timeoutMs, maxBuffer, encoding: "utf8" }, (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split("\n").pop() ?? "";
          reject(new Error(`${[path.basename(file), ...args.slice(0, 2)].join(" ")} failed: ${detail || error.message}`));
        } else {
          resolve(stdout);
        }
      });
    });
  const json = (text: string) => JSON.parse(text) as unknown;

  return {
    async pods(namespace, selector) {
      return podList.parse(json(await run(["get", "pods", `--namespace=${namespace}`, `--selector=${selector}`, "--output=json"]))).items;
    },
    async events(namespace, pod) {
      const fields = `involvedObject.kind=Pod,involvedObject.name=${pod}`;
      return eventList.parse(json(await run(["get", "events", `--namespace=${namespace}`, `--field-selector=${fields}`, "--output=json"]))).items;
    },
    async logs(r: LogRequest) {
      return run([
        "logs",
        r.pod,
        `--namespace=${r.namespace}`,
        `--container=${r.container}`,
        `--tail=${String(r.tailLines)}`,
        `--limit-bytes=${String(logBytes)}`,
        ...(r.previous ? ["--previous"] : []),
      ]);
    },
    async canary(namespace, name) {
      // --ignore-not-found: nothing printed for a Canary that does not exist (yet).
      const text = await run(["get", "canary.flagger.app", name, `--namespace=${namespace}`, "--ignore-not-found", "--output=json"]);
      return text.trim() === "" ? undefined : canaryObject.parse(json(text));
    },
    async canaryEvents(namespace, name) {
      const fields = `involvedObject.kind=Canary,involvedObject.name=${name}`;
      return eventList.parse(json(await run(["get", "events", `--namespace=${namespace}`, `--field-selector=${fields}`, "--output=json"]))).items;
    },
    async podTemplate(namespace, deployment) {
      const text = await run(["get", "deployment", deployment, `--namespace=${namespace}`, "--ignore-not-found", "--output=json"]);
      return text.trim() === "" ? undefined : JSON.stringify(targetObject.parse(json(text)).spec.template);
    },
    close() {
      if (scratch !== undefined) {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
  };
}
