// The release of a canary stack after `pulumi up` (docs/delivery.md), with the
// stack's state on stdin (`pulumi stack export --show-secrets`: it names the
// Canaries, how kubectl reaches their cluster, and the secrets to redact):
//   mark   --mark FILE    before the up: what each Canary and target look like now
//   watch [--mark FILE] [--record FILE] [--timeout S] [--poll S]
//                         after the up: follows each Canary until its release
//                         is promoted (0) or rolled back (1, with its events),
//                         or the bound passes (3, with the phase it is in)
//   status --record FILE  the Canaries' phase now, for the pull-request report
// [-- <kubectl command>] as rollout/cli.ts takes it. 2: bad usage or input.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { type KubectlCluster, kubectlCluster } from "./kubectl";
import { redactor } from "./redact";
import { readMark, type ReleaseMark, takeMark } from "./release-mark";
import { canaryRecordOf, type ReleaseRecord } from "./release-record";
import { watchRelease } from "./release";
import { readStackState, type StackState } from "./stack-state";

const usage = "usage: pulumi stack export --show-secrets | ts-node rollout/release-cli.ts mark --mark FILE | watch [--mark FILE] [--record FILE] [--timeout SECONDS] [--poll SECONDS] | status --record FILE [-- <kubectl command>]";

export interface ReleaseIo {
  readFile: (path: string) => string;
  writeFile: (path: string, text: string) => void;
  out: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const nodeIo: ReleaseIo = {
  readFile: (p) => fs.readFileSync(p, "utf8"),
  writeFile: (p, t) => {
    fs.writeFileSync(p, t);
  },
  out: (line) => process.stdout.write(`${line}\n`),
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const seconds = (v: string | undefined, what: string): number | undefined => {
  if (v === undefined) {
    return undefined;
  }
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${what} must be a positive number of seconds, not ${v}`);
  }
  return n * 1000;
};

export async function main(argv: string[], stdin: string, io: ReleaseIo = nodeIo): Promise<number> {
  const dashes = argv.indexOf("--");
  const command = dashes === -1 ? ["kubectl"] : argv.slice(dashes + 1);
  let mode: string | undefined;
  let values: { mark?: string; record?: string; timeout?: string; poll?: string };
  let timeoutMs: number | undefined;
  let pollMs: number;
  try {
    const parsed = parseArgs({
      args: dashes === -1 ? argv : argv.slice(0, dashes),
      options: { mark: { type: "string" }, record: { type: "string" }, timeout: { type: "string" }, poll: { type: "string" } },
      allowPositionals: true,
    });
    [mode] = parsed.positionals;
    values = parsed.values;
    if (parsed.positionals.length !== 1 || command.length === 0) {
      throw new Error("one of mark, watch, status");
    }
    if ((mode === "mark" && values.mark === undefined) || (mode === "status" && values.record === undefined) || !["mark", "watch", "status"].includes(mode ?? "")) {
      throw new Error(`${mode ?? ""}: missing or unknown`);
    }
    timeoutMs = seconds(values.timeout, "--timeout");
    pollMs = seconds(values.poll, "--poll") ?? 5_000;
  } catch (e) {
    io.out(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }

  let state: StackState;
  let mark: ReleaseMark | undefined;
  try {
    state = readStackState(stdin);
    mark = mode === "watch" && values.mark !== undefined ? readMark(io.readFile(values.mark)) : undefined;
  } catch (e) {
    io.out(`The release: cannot tell: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  if (state.canaries.length === 0) {
    io.out("The release: the stack declares no Canary (delivery.strategy rolling): nothing to follow.");
    return 0;
  }
  const redact = redactor(state.secrets);
  const cluster: KubectlCluster = kubectlCluster(command, state.cluster);
  try {
    if (mode === "mark") {
      io.writeFile(values.mark ?? "", `${JSON.stringify(await takeMark(state.canaries, cluster, new Date(io.now())))}\n`);
      return 0;
    }
    if (mode === "status") {
      const record: ReleaseRecord = { readAt: new Date(io.now()).toISOString(), canaries: [] };
      for (const ref of state.canaries) {
        record.canaries.push(canaryRecordOf(ref, await cluster.canary(ref.namespace, ref.name), redact));
      }
      io.writeFile(values.record ?? "", `${JSON.stringify(record)}\n`);
      record.canaries.forEach((c) => {
        io.out(redact(`${c.namespace}/${c.name}: ${c.phase || "no status yet"}${c.lastTransitionTime === undefined ? "" : ` since ${c.lastTransitionTime}`}`));
      });
      return 0;
    }
    io.out(
      `Following the release of ${state.canaries.map((c) => `canary ${c.namespace}/${c.name}`).join(", ")}${mark === undefined ? " (no mark from before the update: a phase counts once it held for two analysis intervals)" : ""}`,
    );
    const result = await watchRelease(state.canaries, mark, cluster, { timeoutMs, pollMs, now: io.now, sleep: io.sleep, out: io.out, redact });
    if (values.record !== undefined) {
      io.writeFile(values.record, `${JSON.stringify(result.record)}\n`);
    }
    return result.code;
  } catch (e) {
    io.out(redact(`The release: cannot tell: ${e instanceof Error ? e.message : String(e)}`));
    return 2;
  } finally {
    cluster.close();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), fs.readFileSync(0, "utf8")).then((code) => {
    process.exitCode = code;
  });
}
