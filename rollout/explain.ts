// The text printed after a failed or timed-out update: for each workload of
// the stack (Deployment, StatefulSet, migration Job), each failing pod's
// reason, its last events and its last log lines, bounded in length and with
// every secret redacted.
import type { Cluster } from "./cluster";
import type { KubeEvent, Pod } from "./kube-objects";
import { podFailure, type PodFailure } from "./pod-failure";
import { redactor } from "./redact";
import type { StackState, Workload } from "./stack-state";

export interface Limits {
  podsPerWorkload: number;
  eventsPerPod: number;
  logLines: number;
  /** Longer lines are cut (a JSON log line can be long). */
  lineChars: number;
  /** The whole explanation. */
  totalLines: number;
}

export const defaultLimits: Limits = { podsPerWorkload: 2, eventsPerPod: 5, logLines: 15, lineChars: 400, totalLines: 120 };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

function cut(line: string, chars: number): string {
  return line.length <= chars ? line : `${line.slice(0, chars - 1)}…`;
}

const eventTime = (e: KubeEvent) => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? "";

function eventLine(e: KubeEvent): string {
  const count = e.series?.count ?? e.count ?? 1;
  return `${e.type ?? "Normal"} ${e.reason ?? ""}: ${(e.message ?? "").trim()}${count > 1 ? ` (x${String(count)})` : ""}`;
}

/** Newest first: the pods of the update in flight before those it replaces. */
const newestFirst = (a: Pod, b: Pod) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "");

async function explainPod(w: Workload, f: PodFailure, cluster: Cluster, limits: Limits): Promise<string[]> {
  const lines = [`  pod ${f.pod} (${f.phase}, ${String(f.restarts)} restart${f.restarts === 1 ? "" : "s"})`, ...f.reasons.flatMap((r) => r.split("\n").map((l, i) => `${i === 0 ? "    " : "      "}${l}`))];
  try {
    const events = (await cluster.events(w.namespace, f.pod)).sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
    const shown = events.slice(-limits.eventsPerPod);
    if (shown.length > 0) {
      lines.push(`    last events${events.length > shown.length ? ` (${String(shown.length)} of ${String(events.length)})` : ""}:`, ...shown.map((e) => `      ${eventLine(e)}`));
    }
  } catch (e) {
    lines.push(`    (events not readable: ${message(e)})`);
  }
  for (const l of f.logs) {
    try {
      const text = await cluster.logs({ namespace: w.namespace, pod: f.pod, container: l.container, previous: l.previous, tailLines: limits.logLines });
      const logLines = text.split("\n").filter((x) => x.trim() !== "").slice(-limits.logLines);
      if (logLines.length > 0) {
        lines.push(`    last log lines of ${l.container}${l.previous ? " (the run that ended)" : ""}:`, ...logLines.map((x) => `      ${x}`));
      }
    } catch (e) {
      lines.push(`    (logs of ${l.container} not readable: ${message(e)})`);
    }
  }
  return lines;
}

async function explainWorkload(w: Workload, cluster: Cluster, limits: Limits): Promise<string[]> {
  let pods: Pod[];
  try {
    // A pod being deleted is on its way out (the update it belonged to was
    // replaced or rolled back): whatever it shows holds no rollout back.
    pods = (await cluster.pods(w.namespace, w.selector)).filter((p) => p.metadata.deletionTimestamp === undefined);
  } catch (e) {
    return [`${w.kind} ${w.namespace}/${w.name}: pods not readable: ${message(e)}`];
  }
  const failures = pods
    .sort(newestFirst)
    .map(podFailure)
    .filter((f): f is PodFailure => f !== undefined);
  if (failures.length === 0) {
    return [];
  }
  const shown = failures.slice(0, limits.podsPerWorkload);
  const lines = [`${w.kind} ${w.namespace}/${w.name}: ${String(failures.length)} of ${String(pods.length)} pods failing`];
  for (const f of shown) {
    lines.push(...(await explainPod(w, f, cluster, limits)));
  }
  if (failures.length > shown.length) {
    lines.push(`  … and ${String(failures.length - shown.length)} more failing pods`);
  }
  return lines;
}

/** The explanation, one string per line; never throws for what the cluster answers. */
export async function explainRollout(state: StackState, cluster: Cluster, limits: Limits = defaultLimits): Promise<string[]> {
  const redact = redactor(state.secrets);
  if (state.workloads.length === 0) {
    return ["Why the rollout failed: the stack's state holds no Deployment, StatefulSet or Job yet (the error above is all there is)."];
  }
  const body: string[] = [];
  for (const w of state.workloads) {
    body.push(...(await explainWorkload(w, cluster, limits)));
  }
  if (body.length === 0) {
    const names = state.workloads.map((w) => `${w.kind} ${w.name}`).join(", ");
    return [`Why the rollout failed: no failing pods in ${names} (the error above is all there is).`];
  }
  const lines = ["Why the rollout failed:", ...body.map((l) => cut(redact(l), limits.lineChars))];
  if (lines.length > limits.totalLines) {
    return [...lines.slice(0, limits.totalLines - 1), `… cut at ${String(limits.totalLines)} lines`];
  }
  return lines;
}
