// The rollout explainer (rollout/cli.ts, as local:up, local:dev and the CI
// apply step run it) against the real nodes: the state it reads is made from
// the live objects of a stack's namespace, as the Kubernetes provider records
// them (a Secret's data marked secret), and kubectl reaches the cluster as a
// given command, as local:up gives the one inside the kind node. What a run
// saw is also recorded, scrubbed, as the fixtures of the explainer's unit
// tests (test/fixtures/rollout).
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../rollout/cli";
import { defaultLimits } from "../../rollout/explain";
import { eventList, podList, type Pod } from "../../rollout/kube-objects";
import { KObject, kubectl } from "../cluster/kube";
import { e2e } from "./env";

/** What marks a secret in a state export (and which plaintext format it holds). */
const secretSig = "4dabf18193072939515e22adb298388d";
const secretMarker = "1b47061264138c4ac30d75fd1eb44270";

const workloadTypes: Record<string, string> = {
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  Job: "kubernetes:batch/v1:Job",
  Secret: "kubernetes:core/v1:Secret",
};

async function getJson(args: string[]): Promise<{ items: KObject[] }> {
  const res = await kubectl([...args, "--output=json"]);
  if (res.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")}: ${res.stderr}`);
  }
  return JSON.parse(res.stdout) as { items: KObject[] };
}

/** The decoded values of every Secret in the namespace: what must never be printed. */
export async function secretValuesOf(namespace: string): Promise<string[]> {
  const secrets = await getJson(["--namespace", namespace, "get", "secrets"]);
  return secrets.items.flatMap((s) => Object.values((s as { data?: Record<string, string> }).data ?? {}).map((v) => Buffer.from(v, "base64").toString("utf8")));
}

/** A `pulumi stack export --show-secrets` of the namespace's workloads and Secrets, from the live objects. */
async function stateExport(namespace: string): Promise<string> {
  const live = await getJson(["--namespace", namespace, "get", "deployments,statefulsets,jobs,secrets"]);
  const resources = live.items.map((o) => {
    const outputs: Record<string, unknown> = { ...o };
    if (o.kind === "Secret") {
      outputs.data = { [secretSig]: secretMarker, plaintext: JSON.stringify((o as { data?: unknown }).data ?? {}) };
    }
    return { urn: `urn:pulumi:e2e::goapi::${workloadTypes[o.kind] ?? o.kind}::${o.metadata.name}`, type: workloadTypes[o.kind] ?? o.kind, outputs };
  });
  return JSON.stringify({ version: 3, deployment: { resources } });
}

/** The explainer's lines for the namespace, as rollout/cli.ts prints them. */
export async function explainOnNodes(namespace: string): Promise<string[]> {
  const lines: string[] = [];
  const kubectlCommand = ["--", process.env.GOAPI_CLUSTER_KUBECTL ?? "kubectl", `--kubeconfig=${process.env.GOAPI_CLUSTER_KUBECONFIG ?? ""}`];
  const code = await main(kubectlCommand, await stateExport(namespace), (l) => lines.push(l));
  if (code !== 0) {
    throw new Error(`rollout/cli.ts exited ${String(code)}: ${lines.join("\n")}`);
  }
  return lines;
}

/** Each bound of the explanation that the text itself shows broken: the longest line, and blocks longer than allowed. */
export function boundsBroken(lines: string[]): string[] {
  const broken: string[] = [];
  if (lines.length > defaultLimits.totalLines) {
    broken.push(`${String(lines.length)} lines, more than ${String(defaultLimits.totalLines)}`);
  }
  for (const l of lines.filter((x) => x.length > defaultLimits.lineChars)) {
    broken.push(`a line of ${String(l.length)} characters`);
  }
  // Blocks: a header, then the lines indented deeper than it.
  const block = (header: RegExp, indent: string, limit: number, what: string) => {
    lines.forEach((l, i) => {
      if (!header.test(l)) {
        return;
      }
      let n = 0;
      while (lines[i + 1 + n]?.startsWith(indent) === true) {
        n++;
      }
      if (n > limit) {
        broken.push(`${String(n)} ${what} after "${l.trim()}"`);
      }
    });
  };
  block(/^ {4}last events/, "      ", defaultLimits.eventsPerPod, "events");
  block(/^ {4}last log lines/, "      ", defaultLimits.logLines, "log lines");
  let pods = 0;
  for (const l of lines) {
    if (/^\S/.test(l)) {
      pods = 0;
    } else if (/^ {2}pod /.test(l) && ++pods > defaultLimits.podsPerWorkload) {
      broken.push(`more than ${String(defaultLimits.podsPerWorkload)} pods of one workload`);
    }
  }
  return broken;
}

/**
 * Writes what the explainer read about the failing pods (the pods, their
 * events, their logs) to the run's logs/rollout-fixtures, scrubbed: each
 * secret value replaced by the one the unit tests' state declares for its
 * role, and the objects' identifiers, managed fields and container IDs
 * dropped. Copy them to test/fixtures/rollout to refresh the unit tests.
 */
export async function recordFixture(name: string, namespace: string, selector: string, secrets: Map<string, string>): Promise<void> {
  const dir = path.join(e2e.state, "logs", "rollout-fixtures");
  fs.mkdirSync(dir, { recursive: true });
  const pods = podList.parse(await getJson(["--namespace", namespace, "get", "pods", `--selector=${selector}`])).items.filter((p) => p.status?.phase !== "Succeeded" && !isReady(p));
  const events = [];
  const logs: Record<string, string> = {};
  for (const p of pods) {
    const name = p.metadata.name;
    events.push(...eventList.parse(await getJson(["--namespace", namespace, "get", "events", `--field-selector=involvedObject.kind=Pod,involvedObject.name=${name}`])).items);
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      for (const previous of [false, true]) {
        const res = await kubectl(["--namespace", namespace, "logs", name, `--container=${c.name}`, `--tail=${String(defaultLimits.logLines)}`, ...(previous ? ["--previous"] : [])]);
        if (res.code === 0 && res.stdout.trim() !== "") {
          logs[`${name}/${c.name}${previous ? "/previous" : ""}`] = res.stdout;
        }
      }
    }
  }
  const write = (file: string, value: unknown) => {
    fs.writeFileSync(path.join(dir, file), `${JSON.stringify(scrub(value, secrets), null, 1)}\n`);
  };
  write(`${name}.pods.json`, { apiVersion: "v1", kind: "List", items: pods });
  write(`${name}.events.json`, { apiVersion: "v1", kind: "List", items: events });
  write(`${name}.logs.json`, logs);
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** Fields that identify one run's objects on one machine, not what a rollout looks like. */
const dropped = new Set(["managedFields", "uid", "resourceVersion", "containerID", "imageID", "selfLink", "generateName"]);

function scrub(value: unknown, secrets: Map<string, string>): unknown {
  if (typeof value === "string") {
    let s = value.replaceAll(e2e.state, "/var/lib/goapi-e2e");
    // Longest first, so a secret that contains another is replaced whole.
    for (const [real, stand] of [...secrets].sort((a, b) => b[0].length - a[0].length)) {
      s = s.replaceAll(real, stand).replaceAll(encodeURIComponent(real), encodeURIComponent(stand));
    }
    return s;
  }
  if (Array.isArray(value)) {
    return value.map((v) => scrub(v, secrets));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !dropped.has(k))
        .map(([k, v]) => [k, scrub(v, secrets)]),
    );
  }
  return value;
}
