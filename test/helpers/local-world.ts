// A fake machine for the local scripts: a throwaway checkout holding copies
// of the real scripts and stack files (a git repository, so a test can ask
// `git status`), and stub docker, kind, node, npm, curl and pulumi that keep
// what they did in a world folder: which containers exist, whether the Docker
// daemon answers, what the cluster runs, what the registry holds. The scripts
// run with a PATH of only the stubs and the few system tools they use, so a
// tool they call without a stub fails the test instead of reaching the real
// machine. Faults are files in the world folder (see the stubs in local-world/).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const realRoot = path.join(__dirname, "..", "..");
const stubDir = path.join(__dirname, "local-world");
const stubs = ["docker", "kind", "node", "npm", "curl", "pulumi"];
const systemTools = ["bash", "cat", "cp", "dirname", "env", "find", "git", "grep", "mkdir", "mkfifo", "mktemp", "mv", "rm", "sed", "seq", "sleep", "tee", "touch"];
const copied = [
  "scripts/local-up.sh",
  "scripts/local-down.sh",
  "scripts/lib/local.sh",
  "scripts/kind-e2e/lib.sh",
  "scripts/kind-e2e/no-changes.sh",
  "scripts/kind-e2e/nothing-left.sh",
  ".gitignore",
  "Pulumi.yaml",
  "Pulumi.local.yaml",
  "local/kind-config.yaml",
  "local/addons/Pulumi.yaml",
  "local/addons/Pulumi.local.yaml",
];
/** The version of the `pulumi` npm package, which names the CLI release the scripts run. */
export const pulumiVersion = (JSON.parse(fs.readFileSync(path.join(realRoot, "node_modules", "pulumi", "package.json"), "utf8")) as { version: string }).version;
/**
 * The package's lib/resolve.js on the fake machine (the stub node runs it with
 * the real node): resolve() answers the stub CLI's path, as the package answers
 * the path of the CLI it installed; with the world's fault pulumi-unfetchable
 * it fails as the real one does when get.pulumi.com cannot be reached.
 */
const fakeResolve = `"use strict";
const fs = require("node:fs");
const path = require("node:path");
exports.resolve = async () => {
  if (fs.existsSync(path.join(process.env.STUB_WORLD, "pulumi-unfetchable"))) {
    process.stderr.write("Downloading pulumi v${pulumiVersion}...\\n");
    throw new TypeError("fetch failed");
  }
  return path.join(process.env.STUB_BIN, "pulumi");
};
`;
/** The API token the stub stack generates: quotes and a backslash test the curl config quoting. */
export const token = 'stub-t0k"en\\with-quote-0123456789';
/** Every line a script prints when it stops: "<command> stopped: <cause>. Next: <what to run>". */
export const stopLine = /^local:(up|down) stopped: .+\. Next: .+$/;

export type Script = "up" | "down";

export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The stub calls of this run, "tool args...", in order. */
  calls: string[];
}

const found = new Map<string, string>();
function which(tool: string): string {
  let where = found.get(tool);
  if (where === undefined) {
    where = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (where === "") {
      throw new Error(`${tool} is not installed; the local scripts need it`);
    }
    found.set(tool, where);
  }
  return where;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  }
  return r.stdout;
}

// The checkout, committed: built once per test process, then copied per world.
let template: string | undefined;
function checkoutTemplate(): string {
  if (template === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-local-checkout-"));
    process.on("exit", () => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    for (const file of copied) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.copyFileSync(path.join(realRoot, file), path.join(dir, file));
    }
    git(dir, "init", "-q", "--template=");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "checkout");
    template = dir;
  }
  return template;
}

async function until(what: string, deadlineMs: number, done: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) {
      throw new Error(`timed out after ${String(deadlineMs)} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export class LocalWorld {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-local-"));
  /** The checkout the scripts run in. */
  readonly repo = path.join(this.root, "repo");
  /** The world's state, read and written by the stubs. */
  readonly dir = path.join(this.root, "world");
  /** TMPDIR of the scripts. */
  readonly tmp = path.join(this.root, "tmp");
  private readonly bin = path.join(this.root, "bin");
  private callsSeen = 0;

  /** A new machine, or a copy of `from` as it is now (cheaper than bringing one up again). */
  constructor(from?: LocalWorld) {
    if (from !== undefined) {
      fs.cpSync(from.root, this.root, { recursive: true, verbatimSymlinks: true });
      this.callsSeen = from.callsSeen;
      return;
    }
    for (const d of [this.repo, this.dir, this.tmp, this.bin, path.join(this.root, "home")]) {
      fs.mkdirSync(d, { recursive: true });
    }
    for (const tool of systemTools) {
      fs.symlinkSync(which(tool), path.join(this.bin, tool));
    }
    fs.copyFileSync(path.join(stubDir, "stub-lib.sh"), path.join(this.bin, "stub-lib.sh"));
    for (const stub of stubs) {
      fs.copyFileSync(path.join(stubDir, `${stub}.sh`), path.join(this.bin, stub));
      fs.chmodSync(path.join(this.bin, stub), 0o755);
    }
    fs.cpSync(checkoutTemplate(), this.repo, { recursive: true });
    // What `npm ci` installs: the package's launcher (which the scripts must not use, see lib/local.sh),
    // and the package itself, whose resolve() names the stub CLI, or fails as the real one does
    // without access to get.pulumi.com when the world has the fault pulumi-unfetchable.
    fs.mkdirSync(path.join(this.repo, "node_modules", ".bin"), { recursive: true });
    fs.writeFileSync(path.join(this.repo, "node_modules", ".bin", "pulumi"), "#!/bin/sh\nexit 99\n", { mode: 0o755 });
    fs.copyFileSync(path.join(stubDir, "ts-node.sh"), path.join(this.repo, "node_modules", ".bin", "ts-node"));
    fs.chmodSync(path.join(this.repo, "node_modules", ".bin", "ts-node"), 0o755);
    fs.mkdirSync(path.join(this.repo, "node_modules", "pulumi", "lib"), { recursive: true });
    fs.writeFileSync(path.join(this.repo, "node_modules", "pulumi", "package.json"), JSON.stringify({ name: "pulumi", version: pulumiVersion }));
    fs.writeFileSync(path.join(this.repo, "node_modules", "pulumi", "lib", "resolve.js"), fakeResolve);
    fs.writeFileSync(path.join(this.dir, "token"), token);
  }

  /** Sets a fault or a fact of the world: a file in the world folder. */
  set(name: string, content = ""): void {
    fs.writeFileSync(path.join(this.dir, name), content);
  }
  unset(name: string): void {
    fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }
  has(name: string): boolean {
    return fs.existsSync(path.join(this.dir, name));
  }
  read(name: string): string {
    const file = path.join(this.dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  }
  /** Makes `sleep` return at once, for a test that would otherwise wait out the script's retries. */
  instantSleep(): void {
    fs.rmSync(path.join(this.bin, "sleep"));
    fs.writeFileSync(path.join(this.bin, "sleep"), "#!/usr/bin/env bash\n", { mode: 0o755 });
  }
  /** What the stub curl needs to get answers: the API behind the Ingress, able to pull its image. */
  serving(): boolean {
    const digest = this.read("objects/goapi").trim().split("@")[1];
    return (
      digest !== undefined &&
      this.has("objects/goapi-local-addons") &&
      this.has("hosts.toml") &&
      this.has("registry-on-kind") &&
      this.read("registry").startsWith("running") &&
      this.read("registry-images").split("\n").includes(digest)
    );
  }
  /** Removes a stub, as if the tool were not installed. */
  uninstall(tool: string): void {
    fs.rmSync(path.join(this.bin, tool));
  }
  /** The checkout's changes, as `git status --porcelain` lists them (ignored files aside). */
  gitStatus(): string {
    return git(this.repo, "status", "--porcelain");
  }
  /** The files of the checkout's state folder, relative to it; undefined when it does not exist. */
  stateFiles(): string[] | undefined {
    const state = path.join(this.repo, ".pulumi");
    return fs.existsSync(state) ? fs.readdirSync(state, { recursive: true, encoding: "utf8" }).sort() : undefined;
  }
  /** Makes the state folder unreadable to the user the scripts run as (see run's asNobody). */
  lockState(): void {
    fs.chmodSync(path.join(this.repo, ".pulumi"), 0o000);
  }
  unlockState(): void {
    if (fs.existsSync(path.join(this.repo, ".pulumi"))) {
      fs.chmodSync(path.join(this.repo, ".pulumi"), 0o755);
    }
  }
  /** Adds a file to the checkout's state folder. */
  addStateFile(name: string, content = ""): void {
    const file = path.join(this.repo, ".pulumi", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  /** A file of the checkout's state folder. */
  stateFile(name: string): string {
    return fs.readFileSync(path.join(this.repo, ".pulumi", name), "utf8");
  }
  /** Everything the scripts left in their TMPDIR. */
  tmpFiles(): string[] {
    return fs.readdirSync(this.tmp);
  }

  private command(script: Script | { path: string }, env: Record<string, string>, asNobody: boolean): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
    const scriptArgs = [path.join(this.bin, "bash"), path.join(this.repo, typeof script === "string" ? path.join("scripts", `local-${script}.sh`) : script.path)];
    const fullEnv = {
      PATH: this.bin,
      HOME: path.join(this.root, "home"),
      TMPDIR: this.tmp,
      STUB_WORLD: this.dir,
      STUB_REAL_NODE: process.execPath,
      ...env,
    };
    if (!asNobody || process.getuid?.() !== 0) {
      return { file: scriptArgs[0] ?? "", args: scriptArgs.slice(1), env: fullEnv };
    }
    // Root reads and writes everything: drop to an ordinary user, for whom the
    // fake machine stays usable but files kept from others are not.
    for (const d of [this.root, this.repo, this.bin, path.join(this.repo, "scripts"), path.join(this.repo, "scripts", "lib")]) {
      fs.chmodSync(d, 0o755);
    }
    for (const d of [this.dir, this.tmp, path.join(this.root, "home")]) {
      fs.chmodSync(d, 0o777);
    }
    fs.appendFileSync(path.join(this.dir, "calls.log"), "");
    fs.chmodSync(path.join(this.dir, "calls.log"), 0o666);
    // The real node may sit where only root can reach it (a checkout under
    // /root, or .ci/run's .tools/node22 in a private folder): the stub node
    // runs a copy that the ordinary user can execute.
    const node = path.join(this.root, "node");
    if (!fs.existsSync(node)) {
      fs.copyFileSync(process.execPath, node);
      fs.chmodSync(node, 0o755);
    }
    return { file: which("setpriv"), args: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", ...scriptArgs], env: { ...fullEnv, STUB_REAL_NODE: node } };
  }

  private newCalls(): string[] {
    const all = this.read("calls.log")
      .replaceAll(this.repo, "<repo>")
      .split("\n")
      .filter(Boolean);
    const fresh = all.slice(this.callsSeen);
    this.callsSeen = all.length;
    return fresh;
  }

  /** Runs `npm run local:<script>` to its end. */
  run(script: Script, env: Record<string, string> = {}, opts: { asNobody?: boolean } = {}): ScriptRun {
    const c = this.command(script, env, opts.asNobody ?? false);
    const r = spawnSync(c.file, c.args, { cwd: this.repo, env: c.env, encoding: "utf8", timeout: 20_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, calls: this.newCalls() };
  }

  /** Runs another script of the checkout (repository-relative path) on this machine. */
  runScript(script: string, env: Record<string, string> = {}): ScriptRun {
    const c = this.command({ path: script }, env, false);
    const r = spawnSync(c.file, c.args, { cwd: this.repo, env: c.env, encoding: "utf8", timeout: 20_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, calls: this.newCalls() };
  }

  /** Changes a file of the checkout, as a user's edit would. */
  editRepoFile(file: string, content: string): void {
    fs.writeFileSync(path.join(this.repo, file), content);
  }

  /** The same, without blocking the test process: for tests that run side by side. */
  async runAsync(script: Script, env: Record<string, string> = {}, opts: { asNobody?: boolean } = {}): Promise<ScriptRun> {
    const c = this.command(script, env, opts.asNobody ?? false);
    const child = spawn(c.file, c.args, { cwd: this.repo, env: c.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => {
        resolve({ code, signal });
      }),
    );
    return { code, signal, stdout, stderr, calls: this.newCalls() };
  }

  /**
   * Starts the script, waits until a stub call starting with `blockAt` is
   * running, sends SIGINT to the script's process group (as Ctrl-C does) and
   * waits for the script to end.
   */
  async interrupt(script: Script, blockAt: string, deadlineMs = 10_000): Promise<ScriptRun> {
    this.set("block", blockAt);
    this.unset("reached");
    const c = this.command(script, {}, false);
    const child: ChildProcess = spawn(c.file, c.args, { cwd: this.repo, env: c.env, detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => {
        resolve({ code, signal });
      }),
    );
    const progress = { ended: false };
    void exited.then(() => (progress.ended = true));
    const pid = child.pid ?? 0;
    try {
      await until(`a stub call starting with "${blockAt}"`, deadlineMs, () => this.has("reached") || progress.ended);
      if (progress.ended) {
        throw new Error(`the script ended before calling "${blockAt}":\n${stdout}\n${stderr}`);
      }
      process.kill(-pid, "SIGINT");
      await until("the interrupted script to end", deadlineMs, () => progress.ended);
    } catch (e) {
      if (!progress.ended) {
        process.kill(-pid, "SIGKILL");
      }
      throw e;
    } finally {
      this.unset("block");
    }
    const { code, signal } = await exited;
    return { code, signal, stdout, stderr, calls: this.newCalls() };
  }

  dispose(): void {
    this.unlockState();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The script's own lines on stderr: the stop line, if any (stubs print their errors there too). */
export function stopLines(run: ScriptRun): string[] {
  return run.stderr.split("\n").filter((l) => stopLine.test(l));
}

/** The calls that change the machine. */
export function changes(calls: string[]): string[] {
  return calls.filter((c) =>
    /^(docker (run|start|exec|network connect|rm|buildx create|buildx rm)|kind (create|delete)|pulumi .*\b(up|destroy|import)\b|pulumi .*stack (rm|select --create))/.test(c),
  );
}

/**
 * The machines a test file starts from, made once: a fresh one, and one that
 * `local:up` has brought up. `copy` gives a test its own copy, cheaply; every
 * machine goes away after the file.
 */
export function machines(): { fresh: () => LocalWorld; up: () => LocalWorld; copy: (from: LocalWorld) => LocalWorld } {
  const all: LocalWorld[] = [];
  const made: { fresh?: LocalWorld; up?: LocalWorld } = {};
  const keep = (w: LocalWorld) => {
    all.push(w);
    return w;
  };
  beforeAll(() => {
    made.fresh = keep(new LocalWorld());
    made.up = keep(new LocalWorld());
    const run = made.up.run("up");
    if (run.code !== 0) {
      throw new Error(`bringing the fake machine up failed:\n${run.stdout}\n${run.stderr}`);
    }
  });
  afterAll(() => {
    for (const w of all) {
      w.dispose();
    }
  });
  const ready = (w: LocalWorld | undefined) => {
    if (w === undefined) {
      throw new Error("machines() are made in beforeAll");
    }
    return w;
  };
  return { fresh: () => ready(made.fresh), up: () => ready(made.up), copy: (from) => keep(new LocalWorld(from)) };
}
