// scripts/cluster/test.sh with stand-ins for the control plane's binaries: it
// names a missing prerequisite before doing anything, and whatever ends it
// (a failure, Ctrl-C, SIGTERM) it stops every process it started and removes
// its folder. And up.sh starts the API server as the aggregation layer's
// proxy (what KEDA's metrics adapter needs to know who is asking).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const script = path.join(root, "scripts", "cluster", "test.sh");
const components = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];

interface Sandbox {
  dir: string;
  env: Record<string, string>;
}

/**
 * A tools folder, marked as built, with the CRDs fetched, whose "binaries" log their PID (and
 * their arguments, in args-<name>) and idle
 * until SIGTERM (those in `failing` exit at once; `kubectl` runs the given
 * script), and a `go` that only reports its version; openssl and node are
 * the real ones.
 */
function sandbox(kubectl: string, failing: string[] = []): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-cluster-stubs-"));
  const bin = path.join(dir, "tools", "bin");
  const stubs = path.join(dir, "stubs");
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(stubs);
  fs.mkdirSync(path.join(dir, "tmp"));
  const started = path.join(dir, "started");
  for (const c of components) {
    // Idle until SIGTERM, for a minute at most even if nothing stops them.
    const body = failing.includes(c) ? "exit 1" : "trap 'exit 0' TERM\nfor _ in $(seq 300); do sleep 0.2 & wait $!; done";
    fs.writeFileSync(path.join(bin, c), `#!/usr/bin/env bash\necho "${c} $$" >>"${started}"\nprintf '%s\\n' "$@" >"${dir}/args-${c}"\n${body}\n`, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(bin, "kubectl"), `#!/usr/bin/env bash\n${kubectl}\n`, { mode: 0o755 });
  // Built with the plane for the real nodes; test.sh never starts them.
  for (const node of ["kubelet", "kube-proxy"]) {
    fs.writeFileSync(path.join(bin, node), "#!/usr/bin/env bash\nexit 1\n", { mode: 0o755 });
  }
  fs.writeFileSync(path.join(stubs, "go"), "#!/usr/bin/env bash\necho go-stub\n", { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "tools", "kwok-stages.yaml"), "");
  const crds = path.join(dir, "crds");
  fs.mkdirSync(crds);
  for (const crd of ["servicemonitors", "prometheusrules"]) {
    fs.writeFileSync(path.join(crds, `monitoring.coreos.com_${crd}.yaml`), "");
  }
  const env = {
    PATH: `${stubs}:${process.env.PATH ?? ""}`,
    HOME: dir,
    TMPDIR: path.join(dir, "tmp"),
    GOAPI_CLUSTER_TOOLS: path.join(dir, "tools"),
    GOAPI_CLUSTER_CRDS: crds,
    GOAPI_CLUSTER_CRDS_ROOT: path.join(dir, "delivery-crds"),
  };
  // The delivery controllers' CRD files, where lib.sh looks for them.
  const entries = spawnSync("bash", ["-c", `. "${root}/scripts/cluster/lib.sh" && printf '%s\\n' "\${delivery_crds[@]}"`], { env, encoding: "utf8" });
  for (const entry of entries.stdout.trim().split("\n")) {
    const [folder = "", , , file = ""] = entry.split(" ");
    fs.mkdirSync(path.join(dir, "delivery-crds", folder), { recursive: true });
    fs.writeFileSync(path.join(dir, "delivery-crds", folder, file), "");
  }
  const stamp = spawnSync("bash", ["-c", `. "${root}/scripts/cluster/lib.sh" && wanted_stamp`], { env, encoding: "utf8" });
  fs.writeFileSync(path.join(dir, "tools", "built-versions"), stamp.stdout);
  return { dir, env };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/status`, "utf8").includes("State:\tZ");
  } catch {
    return false;
  }
};

const until = async (what: string, check: () => boolean) => {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within 30s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const groups: number[] = [];

/** Starts test.sh in its own process group, as a terminal would. */
function start(s: Sandbox) {
  const child = spawn("bash", [script], { env: s.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  groups.push(child.pid ?? 0);
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return { child, exited, output: () => output };
}

/** The PIDs of the stand-ins started so far, once those named have started. */
async function started(s: Sandbox, names: string[]): Promise<Map<string, number>> {
  const log = path.join(s.dir, "started");
  const read = () =>
    new Map(
      (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.split(" ")[0] ?? "", Number(line.split(" ")[1])]),
    );
  await until(`${names.join(", ")} started`, () => names.every((n) => read().has(n)));
  return read();
}

/** test.sh's state folders left in the sandbox's TMPDIR. */
const stateFolders = (s: Sandbox) => fs.readdirSync(s.env.TMPDIR ?? "").filter((f) => f.startsWith("goapi-cluster."));

describe("scripts/cluster/test.sh", () => {
  const sandboxes: string[] = [];
  const make = (kubectl: string, failing: string[] = []) => {
    const s = sandbox(kubectl, failing);
    sandboxes.push(s.dir);
    return s;
  };
  afterAll(() => {
    // A failed test must not leave test.sh or its stand-ins behind.
    for (const group of groups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of sandboxes) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["go", []],
    ["openssl", ["go"]],
  ])("stops at once with one line naming a missing %s", (missing, present) => {
    const s = make("exit 0");
    const only = path.join(s.dir, "only");
    fs.mkdirSync(only);
    for (const tool of ["bash", "dirname", "cat", "tr", ...present]) {
      const real = tool === "go" ? path.join(s.dir, "stubs", "go") : spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(real, path.join(only, tool));
    }
    const run = spawnSync(path.join(only, "bash"), [script], { env: { ...s.env, PATH: only }, encoding: "utf8" });
    expect({ code: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 1,
      stdout: "",
      stderr: `cluster: ${missing} is required but was not found on PATH\n`,
    });
  });

  it.each([
    ["Ctrl-C", "SIGINT", 130],
    ["SIGTERM", "SIGTERM", 143],
  ] as const)("on %s while the plane starts, stops every process it started and removes its folder", async (_name, signal, status) => {
    // An API server that never gets ready keeps test.sh waiting in up.sh.
    const s = make('[ "$*" != "${*%readyz}" ] && exit 1; exit 0');
    const run = start(s);
    await started(s, ["etcd", "kube-apiserver"]);
    expect(stateFolders(s)).toHaveLength(1);
    process.kill(-(run.child.pid ?? 0), signal);
    expect(await run.exited).toBe(status);
    const pids = [...(await started(s, [])).values()];
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
    expect(stateFolders(s)).toEqual([]);
  });

  it("starts the API server as the aggregation layer's proxy: a front-proxy CA of its own and a client certificate it signed", () => {
    // Every kubectl call succeeds: up.sh runs to its end and leaves the stand-ins idling.
    const s = make("exit 0");
    const state = path.join(s.dir, "plane");
    const up = spawnSync("bash", [path.join(root, "scripts", "cluster", "up.sh"), state], { env: s.env, encoding: "utf8" });
    try {
      expect({ code: up.status, stderr: up.stderr }).toEqual({ code: 0, stderr: "" });
      const flags = new Map(
        fs
          .readFileSync(path.join(s.dir, "args-kube-apiserver"), "utf8")
          .trim()
          .split("\n")
          .map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] as const),
      );
      const pki = path.join(state, "pki");
      expect({
        ca: flags.get("--requestheader-client-ca-file"),
        allowed: flags.get("--requestheader-allowed-names"),
        user: flags.get("--requestheader-username-headers"),
        group: flags.get("--requestheader-group-headers"),
        extra: flags.get("--requestheader-extra-headers-prefix"),
        cert: flags.get("--proxy-client-cert-file"),
        key: flags.get("--proxy-client-key-file"),
        // The loopback plane runs no kube-proxy: the API server dials an aggregated server's endpoints.
        routing: flags.get("--enable-aggregator-routing"),
      }).toEqual({
        ca: path.join(pki, "front-proxy-ca.crt"),
        allowed: "front-proxy-client",
        user: "X-Remote-User",
        group: "X-Remote-Group",
        extra: "X-Remote-Extra-",
        cert: path.join(pki, "front-proxy-client.crt"),
        key: path.join(pki, "front-proxy-client.key"),
        routing: "true",
      });
      const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
      const cert = path.join(pki, "front-proxy-client.crt");
      // Signed by the front-proxy CA, and not by the CA of the plane's clients: no other client may send the headers.
      expect(openssl("verify", "-purpose", "sslclient", "-CAfile", path.join(pki, "front-proxy-ca.crt"), cert).stdout).toBe(`${cert}: OK\n`);
      expect(openssl("verify", "-CAfile", flags.get("--client-ca-file") ?? "", cert).status).not.toBe(0);
      // Its name is the one allowed, and the key is the certificate's.
      expect(openssl("x509", "-in", cert, "-noout", "-subject", "-nameopt", "RFC2253").stdout).toBe("subject=CN=front-proxy-client\n");
      const publicOf = (args: string[]) => openssl(...args).stdout;
      expect(publicOf(["pkey", "-in", path.join(pki, "front-proxy-client.key"), "-pubout"])).toBe(publicOf(["x509", "-in", cert, "-noout", "-pubkey"]));
    } finally {
      spawnSync("bash", [path.join(root, "scripts", "cluster", "down.sh"), state], { env: s.env });
    }
  });

  it("when a component dies, stops every other process it started and removes its folder", async () => {
    // The controller manager exits at once; up.sh notices while it waits for it.
    const s = make('case "$*" in *serviceaccount*) exit 1 ;; esac', ["kube-controller-manager"]);
    const run = start(s);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("cluster: kube-controller-manager exited while waiting for the controller manager");
    expect(run.output()).toMatch(/stopped 4 processes, removed /);
    const pids = [...(await started(s, components)).values()];
    expect(pids.filter(alive)).toEqual([]);
    expect(stateFolders(s)).toEqual([]);
  });
});
