// Why one pod holds a rollout back, from its status alone: each container that
// waits (CrashLoopBackOff, ImagePullBackOff, ...), ended in failure, or runs
// without becoming ready; a pod the scheduler could not place; and which
// containers' logs can say more.
import type { ContainerStatus, Pod, Terminated } from "./kube-objects";

export interface PodFailure {
  pod: string;
  phase: string;
  restarts: number;
  /** One entry per problem found; a termination message follows on lines of its own. */
  reasons: string[];
  /** The containers whose logs can explain it; `previous` for the run that ended (a crash loop's). */
  logs: { container: string; previous: boolean }[];
}

/** A termination message is at most this many of its last lines (FallbackToLogsOnError makes it the log's tail). */
export const messageLines = 5;

function ended(t: Terminated): string {
  const lines = (t.message ?? "").split("\n").filter((l) => l.trim() !== "").slice(-messageLines);
  const head = `${t.reason ?? "terminated"}, exit code ${String(t.exitCode)}${t.signal === undefined ? "" : `, signal ${String(t.signal)}`}`;
  return lines.length === 0 ? head : `${head}; its message:\n${lines.join("\n")}`;
}

/** Waiting reasons of a container that has not started yet, and has no logs. */
const notStarted = new Set(["ContainerCreating", "PodInitializing", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"]);

function containerProblem(c: ContainerStatus, init: boolean, f: PodFailure): void {
  const label = `${init ? "init container" : "container"} ${c.name}`;
  const last = c.lastState?.terminated;
  const waiting = c.state?.waiting;
  const terminated = c.state?.terminated;
  if (waiting !== undefined) {
    const why = `${waiting.reason ?? "waiting"}${waiting.message ? `: ${waiting.message.trim()}` : ""}`;
    f.reasons.push(`${label}: waiting: ${why}${last ? `; its last run ended: ${ended(last)}` : ""}`);
    if (last !== undefined) {
      f.logs.push({ container: c.name, previous: true });
    } else if (!notStarted.has(waiting.reason ?? "")) {
      f.logs.push({ container: c.name, previous: false });
    }
  } else if (terminated !== undefined) {
    if (terminated.exitCode !== 0) {
      f.reasons.push(`${label}: terminated: ${ended(terminated)}`);
      f.logs.push({ container: c.name, previous: false });
    }
  } else if (!c.ready && !init) {
    f.reasons.push(`${label}: running, not ready${last ? `; its last run ended: ${ended(last)}` : ""}`);
    f.logs.push({ container: c.name, previous: false });
  }
}

/** What holds the pod back, or undefined when nothing does (ready, or succeeded). */
export function podFailure(pod: Pod): PodFailure | undefined {
  const status = pod.status ?? {};
  const phase = status.phase ?? "Unknown";
  if (phase === "Succeeded") {
    return undefined;
  }
  const init = status.initContainerStatuses ?? [];
  const main = status.containerStatuses ?? [];
  const f: PodFailure = {
    pod: pod.metadata.name,
    phase,
    restarts: [...init, ...main].reduce((n, c) => n + c.restartCount, 0),
    reasons: [],
    logs: [],
  };
  if (status.reason !== undefined) {
    f.reasons.push(`pod ${status.reason}${status.message ? `: ${status.message.trim()}` : ""}`);
  }
  const unscheduled = status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (unscheduled !== undefined) {
    f.reasons.push(`not scheduled: ${unscheduled.reason ?? "unknown"}${unscheduled.message ? `: ${unscheduled.message.trim()}` : ""}`);
  }
  init.forEach((c) => {
    containerProblem(c, true, f);
  });
  main.forEach((c) => {
    containerProblem(c, false, f);
  });
  if (f.reasons.length === 0 && phase !== "Running") {
    f.reasons.push(`pod ${phase}`);
  }
  return f.reasons.length === 0 ? undefined : f;
}
