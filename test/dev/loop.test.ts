// The inner loop's orchestration with stand-ins: a stack whose updates the
// test ends by hand, a compiler that answers what it is told, a clock.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { CheckResult } from "../../scripts/dev/go-check";
import { compileErrorLines, DevLoop, type DevStack, type UpOutcome } from "../../scripts/dev/loop";
import type { Change } from "../../scripts/dev/watcher";

interface Update {
  signal: AbortSignal;
  onEvent: (e: EngineEvent) => void;
  onOutput: (text: string) => void;
  finish: (o: UpOutcome) => void;
}

class FakeStack implements DevStack {
  readonly updates: Update[] = [];
  inFlight = 0;
  maxInFlight = 0;
  explained = 0;
  up(io: { onEvent: (e: EngineEvent) => void; onOutput: (text: string) => void; signal: AbortSignal }): Promise<UpOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      this.updates.push({
        ...io,
        finish: (o) => {
          this.inFlight--;
          resolve(o);
        },
      });
    });
  }
  explain(): Promise<string[]> {
    this.explained++;
    return Promise.resolve(["Why the rollout failed:", "Deployment goapi/goapi-1: 1 of 1 pods failing"]);
  }
}

const app = (...paths: string[]): Change => ({ paths, kinds: new Set(["app"]) });
const program = (...paths: string[]): Change => ({ paths, kinds: new Set(["program"]) });
const tick = () => new Promise((r) => setImmediate(r));
async function until(what: string, done: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!done() && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!done()) {
    throw new Error(`never happened: ${what}`);
  }
}

function setup(build: () => CheckResult = () => ({ ok: true, output: "", ms: 1200 })) {
  const stack = new FakeStack();
  const lines: string[] = [];
  let t = 0;
  const builds: AbortSignal[] = [];
  const loop = new DevLoop({
    stack,
    goBuild: (signal) => {
      builds.push(signal);
      return Promise.resolve(build());
    },
    print: (l) => lines.push(l),
    now: () => t,
    cancelGraceMs: 10,
  });
  return { stack, lines, loop, builds, advance: (ms: number) => (t += ms) };
}

const deploymentUpdated: EngineEvent = {
  sequence: 1,
  timestamp: 0,
  resourcePreEvent: {
    metadata: { op: "update", urn: "urn:pulumi:local::goapi::goapi:index:ApiService$kubernetes:apps/v1:Deployment::goapi", type: "kubernetes:apps/v1:Deployment", provider: "" },
  },
};

describe("DevLoop", () => {
  it("a Go change: compile check, one update, its progress and change report, and the time from save to live", async () => {
    const { stack, lines, loop, builds, advance } = setup();
    loop.changed(app("app/internal/items/handler.go"));
    await until("the update starts", () => stack.updates.length === 1);
    expect(builds).toHaveLength(1);
    stack.updates[0]?.onEvent(deploymentUpdated);
    advance(14_200);
    stack.updates[0]?.finish({ ok: true, url: "http://goapi.localhost/" });
    await loop.idle();
    expect(lines).toEqual([
      "• saved app/internal/items/handler.go",
      "✓ go build (1.2 s)",
      "• updating the stack local: image build and push (registry cache), then the rollout",
      "  … update Deployment goapi",
      "  changes: no changes",
      "✓ live in 14.2 s after the save: http://goapi.localhost/",
    ]);
  });

  it("a compile error is shown at once, bounded, and the stack is not touched", async () => {
    const output = Array.from({ length: compileErrorLines + 5 }, (_, i) => `internal/items/handler.go:${String(i + 1)}:2: undefined: x`).join("\n");
    const { stack, lines, loop } = setup(() => ({ ok: false, output, ms: 800 }));
    loop.changed(app("app/internal/items/handler.go"));
    await loop.idle();
    expect(stack.updates).toHaveLength(0);
    expect(lines[1]).toBe("✗ go build failed (0.8 s); the stack is left as it is:");
    expect(lines).toContain("    internal/items/handler.go:1:2: undefined: x");
    expect(lines).toContain(`    internal/items/handler.go:${String(compileErrorLines)}:2: undefined: x`);
    expect(lines).not.toContain(`    internal/items/handler.go:${String(compileErrorLines + 1)}:2: undefined: x`);
    expect(lines.at(-1)).toBe("    … 5 more lines (go build ./... in app/)");
  });

  it("a change to the program alone updates without compiling Go", async () => {
    const { stack, loop, builds } = setup();
    loop.changed(program("Pulumi.local.yaml"));
    await until("the update starts", () => stack.updates.length === 1);
    stack.updates[0]?.finish({ ok: true });
    await loop.idle();
    expect(builds).toHaveLength(0);
  });

  it("saves during an update make one more update after it, never two at once", async () => {
    const { stack, lines, loop } = setup();
    loop.changed(app("app/a.go"));
    await until("the first update", () => stack.updates.length === 1);
    loop.changed(app("app/b.go"));
    loop.changed(program("index.ts"));
    await tick();
    expect(stack.updates).toHaveLength(1);
    stack.updates[0]?.finish({ ok: true });
    await until("the second update", () => stack.updates.length === 2);
    stack.updates[1]?.finish({ ok: true });
    await loop.idle();
    expect(stack.updates).toHaveLength(2);
    expect(stack.maxInFlight).toBe(1);
    expect(lines.filter((l) => l.startsWith("• saved"))).toEqual(["• saved app/a.go", "• saved app/b.go, index.ts"]);
  });

  it("a failed update prints the engine's error and why the rollout failed", async () => {
    const { stack, lines, loop, advance } = setup();
    loop.changed(app("app/a.go"));
    await until("the update", () => stack.updates.length === 1);
    advance(600_000);
    stack.updates[0]?.finish({ ok: false, error: "error: 1 error occurred: timed out waiting to be Ready" });
    await loop.idle();
    expect(lines.slice(-3)).toEqual([
      "✗ update failed after 600.0 s: error: 1 error occurred: timed out waiting to be Ready",
      "  Why the rollout failed:",
      "  Deployment goapi/goapi-1: 1 of 1 pods failing",
    ]);
  });

  it("Ctrl-C when idle stops at once", async () => {
    const { stack, loop } = setup();
    await loop.stop();
    loop.changed(app("app/a.go"));
    await loop.idle();
    expect(stack.updates).toHaveLength(0);
  });

  it("Ctrl-C during an update the terminal's SIGINT already cancels: no second SIGINT, waits for the engine, starts nothing new", async () => {
    const { stack, lines, loop } = setup();
    loop.changed(app("app/a.go"));
    await until("the update", () => stack.updates.length === 1);
    const update = stack.updates[0];
    update?.onOutput("^C received; cancelling. If you would like to terminate immediately, press ^C again.\n");
    const stopped = loop.stop();
    loop.changed(app("app/b.go"));
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false); // the engine still holds the stack
    expect(update?.signal.aborted).toBe(false);
    update?.finish({ ok: false, error: "error: update canceled" });
    await stopped;
    expect(stack.updates).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^✗ update cancelled; the stack holds what was done before the cancel/);
    expect(stack.explained).toBe(0);
  });

  it("Ctrl-C that did not reach the CLI (a signal to this process alone): one SIGINT through the abort signal", async () => {
    const { stack, loop } = setup();
    loop.changed(program("index.ts"));
    await until("the update", () => stack.updates.length === 1);
    const stopped = loop.stop();
    const update = stack.updates[0];
    await until("the abort", () => update?.signal.aborted === true);
    update?.finish({ ok: false, error: "error: update canceled" });
    await stopped;
  });

  it("Ctrl-C during the compile check: no update", async () => {
    let release: (r: CheckResult) => void = () => undefined;
    const stack = new FakeStack();
    const loop = new DevLoop({ stack, goBuild: () => new Promise((r) => (release = r)), print: () => undefined, cancelGraceMs: 1 });
    loop.changed(app("app/a.go"));
    await tick();
    const stopped = loop.stop();
    release({ ok: true, output: "", ms: 1 });
    await stopped;
    expect(stack.updates).toHaveLength(0);
  });
});
