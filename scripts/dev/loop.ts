// The inner loop: each burst of saves runs one cycle (the Go compile check
// when app/ changed, then one update of the stack), never two at once; saves
// made during a cycle run the next one. Ctrl-C lets the engine cancel the
// update in flight cleanly (it finishes the steps under way, writes the state
// and releases the lock) and starts nothing new.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { changeReport } from "./change-report";
import type { CheckResult } from "./go-check";
import { Progress } from "./progress";
import type { SourceKind } from "./sources";
import type { Change } from "./watcher";

export interface UpOutcome {
  ok: boolean;
  /** The engine's error, when it failed. */
  error?: string;
  /** The stack's url output. */
  url?: string;
}

/** What the loop needs of the stack: one update at a time, and why a rollout failed. */
export interface DevStack {
  up(io: { onEvent: (e: EngineEvent) => void; onOutput: (text: string) => void; signal: AbortSignal }): Promise<UpOutcome>;
  explain(): Promise<string[]>;
}

export interface LoopDeps {
  stack: DevStack;
  goBuild: (signal: AbortSignal) => Promise<CheckResult>;
  print: (line: string) => void;
  now?: () => number;
  /** How long Ctrl-C waits for the CLI to say it got the terminal's SIGINT before sending its own. */
  cancelGraceMs?: number;
}

/** The compiler's messages shown, at most. */
export const compileErrorLines = 30;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const cancelling = /\^C received; cancelling/;

export class DevLoop {
  private pending: Change | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopping = false;
  private cliCancelling = false;
  private readonly now: () => number;

  constructor(private readonly deps: LoopDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A burst of saves. */
  changed(c: Change): void {
    if (this.stopping) {
      return;
    }
    const kinds = new Set<SourceKind>([...(this.pending?.kinds ?? []), ...c.kinds]);
    this.pending = { paths: [...new Set([...(this.pending?.paths ?? []), ...c.paths])].sort(), kinds };
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when every cycle started has ended. */
  async idle(): Promise<void> {
    while (this.running !== undefined) {
      await this.running;
    }
  }

  /** Ctrl-C: cancels cleanly what is in flight; resolves once the engine has let go of the stack. */
  async stop(): Promise<void> {
    if (this.stopping) {
      this.deps.print("  still waiting for pulumi to finish cancelling and write the state (a Ctrl-C to pulumi itself would stop it at once)");
      return this.idle();
    }
    this.stopping = true;
    this.pending = undefined;
    if (this.running === undefined) {
      return;
    }
    this.deps.print("^C: cancelling what is in flight; pulumi finishes the steps under way, writes the state and releases the lock");
    // A Ctrl-C in the terminal reaches the CLI too; a second SIGINT would make it stop at once, lock held.
    await new Promise((resolve) => setTimeout(resolve, this.deps.cancelGraceMs ?? 1000));
    if (!this.cliCancelling) {
      this.abort.abort();
    }
    return this.idle();
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const c = this.pending;
      this.pending = undefined;
      await this.cycle(c);
    }
  }

  private async cycle(c: Change): Promise<void> {
    const { print } = this.deps;
    const start = this.now();
    const shown = c.paths.slice(0, 3).join(", ") + (c.paths.length > 3 ? ` and ${String(c.paths.length - 3)} more` : "");
    print(`• saved ${shown}`);
    if (c.kinds.has("app")) {
      const build = await this.deps.goBuild(this.abort.signal);
      if (this.stopping) {
        return;
      }
      if (!build.ok) {
        const lines = build.output.split("\n");
        print(`✗ go build failed (${seconds(build.ms)}); the stack is left as it is:`);
        lines.slice(0, compileErrorLines).forEach((l) => {
          print(`    ${l}`);
        });
        if (lines.length > compileErrorLines) {
          print(`    … ${String(lines.length - compileErrorLines)} more lines (go build ./... in app/)`);
        }
        return;
      }
      print(`✓ go build (${seconds(build.ms)})`);
    }
    print("• updating the stack local: image build and push (registry cache), then the rollout");
    const events: EngineEvent[] = [];
    const progress = new Progress(this.now);
    this.cliCancelling = false;
    const outcome = await this.deps.stack.up({
      onEvent: (e) => {
        events.push(e);
        const line = progress.line(e);
        if (line !== undefined) {
          print(line);
        }
      },
      onOutput: (text) => {
        this.cliCancelling ||= cancelling.test(text);
      },
      signal: this.abort.signal,
    });
    if (outcome.ok) {
      changeReport("local", events).forEach(print);
      print(`✓ live in ${seconds(this.now() - start)} after the save${outcome.url === undefined ? "" : `: ${outcome.url}`}`);
      return;
    }
    if (this.stopping) {
      print("✗ update cancelled; the stack holds what was done before the cancel (the next save, or npm run local:up, finishes it)");
      return;
    }
    print(`✗ update failed after ${seconds(this.now() - start)}: ${outcome.error ?? "see the lines above"}`);
    (await this.deps.stack.explain()).forEach((l) => {
      print(`  ${l}`);
    });
  }
}
