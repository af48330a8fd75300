// What the machine itself shows about a running container (the checks run as
// root beside the kubelets): its process's user and root mount, found through
// the container's cgroup.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The PIDs in the cgroup of a container, found by its ID under the nodes' cgroup roots. */
function pidsOf(containerId: string): number[] {
  const id = containerId.replace(/^containerd:\/\//, "");
  const roots = fs.readdirSync("/sys/fs/cgroup/pids").filter((d) => d.startsWith("goapi-e2e-node-"));
  const search = (dir: string): string | undefined => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) {
        continue;
      }
      const full = path.join(dir, entry.name);
      if (entry.name === id) {
        return full;
      }
      const found = search(full);
      if (found) {
        return found;
      }
    }
    return undefined;
  };
  for (const root of roots) {
    const dir = search(path.join("/sys/fs/cgroup/pids", root));
    if (dir) {
      return fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").trim().split("\n").filter(Boolean).map(Number);
    }
  }
  throw new Error(`no cgroup of container ${id} under /sys/fs/cgroup/pids/goapi-e2e-node-*`);
}

export interface ProcessFacts {
  uid: number;
  gid: number;
  /** The options of the container's root mount, as the kernel reports them. */
  rootMount: string;
  command: string;
}

/** The user, group and root mount of a running container's main process. */
export function processOf(containerId: string): ProcessFacts {
  const [pid] = pidsOf(containerId);
  if (pid === undefined) {
    throw new Error(`container ${containerId} runs no process`);
  }
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const ids = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  // mountinfo: id parent major:minor root mountpoint options ...
  const root = fs
    .readFileSync(`/proc/${pid}/mountinfo`, "utf8")
    .split("\n")
    .map((line) => line.split(" "))
    .find((f) => f[4] === "/");
  return {
    uid: ids("Uid"),
    gid: ids("Gid"),
    rootMount: root?.[5] ?? "",
    command: fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" "),
  };
}

export interface LoadResult {
  requests: number;
  failed: number;
  seconds: number;
  failures: string[];
  summary: string;
}

/** The load's running counts, as it printed them (with -progress), and when this process read each. */
export interface LoadProgress {
  at: number;
  requests: number;
  failed: number;
}

/**
 * The app's load generator at a fixed rate, against a URL (a ClusterIP, or
 * the gateway on the bridge with `host` as the Host header), bounded by
 * `seconds`; stop() ends it early and returns what it counted. With
 * `progressSeconds`, progress() has its running counts so far.
 */
export function startLoad(
  loadgen: string,
  url: string,
  id: string,
  rate: number,
  seconds: number,
  options: { host?: string; progressSeconds?: number } = {},
): { stop: () => Promise<LoadResult>; progress: () => LoadProgress[] } {
  const extra = [...(options.host === undefined ? [] : ["-host", options.host]), ...(options.progressSeconds === undefined ? [] : ["-progress", `${options.progressSeconds}s`])];
  const child = spawn(loadgen, ["-url", url, "-id", id, "-rate", String(rate), "-c", "32", "-d", `${seconds}s`, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const progress: LoadProgress[] = [];
  let partial = "";
  child.stdout.on("data", (c: Buffer) => {
    const text = c.toString("utf8");
    out += text;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^progress seconds=[\d.]+ requests=(\d+) failed=(\d+)$/.exec(line);
      if (m) {
        progress.push({ at: Date.now(), requests: Number(m[1]), failed: Number(m[2]) });
      }
    }
  });
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => { resolve(code ?? 1); }));
  return {
    progress: () => [...progress],
    stop: async () => {
      child.kill("SIGINT");
      const code = await exited;
      const summary = /requests=(\d+) failed=(\d+) seconds=([\d.]+).*/.exec(out);
      if (code !== 0 || !summary) {
        throw new Error(`loadgen exited ${code}:\n${out}`);
      }
      return {
        requests: Number(summary[1]),
        failed: Number(summary[2]),
        seconds: Number(summary[3]),
        failures: out.split("\n").filter((l) => l.startsWith("failure: ")),
        summary: summary[0],
      };
    },
  };
}
