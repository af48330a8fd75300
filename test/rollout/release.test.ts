// Following a canary release after `pulumi up` (rollout/release.ts), through
// the command line with the state on stdin, against a stub kubectl that plays
// a scripted sequence of Canary statuses, one per read, as Flagger 1.36.1
// writes them. A virtual clock: each poll of 5 s passes at once.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, type ReleaseIo } from "../../rollout/release-cli";
import { type CanaryRecord, describeRelease, type ReleaseRecord } from "../../rollout/release-record";
import { secrets, stateText } from "./fixtures";

let dir: string;
let stub: string;

/** The fixture's state with a Canary goapi/goapi declared through the same provider as its workloads. */
const canaryState = (() => {
  const json = JSON.parse(stateText) as { deployment: { resources: Record<string, unknown>[] } };
  const deployment = json.deployment.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
  json.deployment.resources.push({
    urn: "urn:pulumi:local::goapi::goapi:index:ApiService$goapi:index:ApiDelivery$kubernetes:flagger.app/v1beta1:Canary::goapi",
    type: "kubernetes:flagger.app/v1beta1:Canary",
    provider: deployment?.provider,
    outputs: { apiVersion: "flagger.app/v1beta1", kind: "Canary", metadata: { name: "goapi", namespace: "goapi" } },
  });
  return JSON.stringify(json);
})();

interface Status {
  phase?: string;
  weight?: number;
  failed?: number;
  /** lastAppliedSpec */
  hash?: string;
  /** lastPromotedSpec */
  promoted?: string;
}

const spec = { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "goapi" }, progressDeadlineSeconds: 600, analysis: { interval: "1m", threshold: 2, stepWeights: [5, 20] } };
const messages: Record<string, string> = {
  Progressing: "New revision detected, progressing canary analysis.",
  Succeeded: "Canary analysis completed successfully, promotion finished.",
  Failed: "Canary analysis failed, Deployment scaled to zero.",
};
const canary = (s: Status) => ({
  apiVersion: "flagger.app/v1beta1",
  kind: "Canary",
  metadata: { name: "goapi", namespace: "goapi" },
  spec,
  status:
    s.phase === undefined
      ? undefined
      : {
          phase: s.phase,
          canaryWeight: s.weight ?? 0,
          failedChecks: s.failed ?? 0,
          iterations: 0,
          lastAppliedSpec: s.hash,
          lastPromotedSpec: s.promoted,
          lastTransitionTime: "2026-12-06T00:00:00Z",
          conditions: [{ type: "Promoted", status: "Unknown", reason: s.phase, message: messages[s.phase] ?? s.phase }],
        },
});
const target = (image: string) => ({ metadata: { name: "goapi" }, spec: { replicas: 0, template: { spec: { containers: [{ name: "api", image }] } } } });

/** The Canary answers `statuses` in turn (the last one from then on); the target runs `image`. */
function script(statuses: Status[], image = "goapi@sha256:bbbb", events: unknown[] = []) {
  statuses.forEach((s, i) => {
    fs.writeFileSync(path.join(dir, `canary-${String(i + 1).padStart(4, "0")}.json`), JSON.stringify(canary(s)));
  });
  fs.writeFileSync(path.join(dir, "target.json"), JSON.stringify(target(image)));
  fs.writeFileSync(path.join(dir, "events.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: events }));
}

/** The mark taken before the up: the Canary at `hash` in `phase`, its target running `image`. */
async function markFile(hash: string, phase: string, image = "goapi@sha256:aaaa"): Promise<string> {
  script([{ phase, hash, promoted: phase === "Failed" ? "h0" : hash }], image);
  const file = path.join(dir, "mark.json");
  const io = testIo();
  expect(await main(["mark", "--mark", file, "--", stub], canaryState, io)).toBe(0);
  for (const f of fs.readdirSync(dir).filter((x) => x.startsWith("canary-") || x === "reads")) {
    fs.rmSync(path.join(dir, f));
  }
  return file;
}

function testIo(): ReleaseIo & { lines: string[]; clock: { now: number } } {
  const clock = { now: Date.parse("2026-12-06T00:00:00Z") };
  const lines: string[] = [];
  return {
    lines,
    clock,
    readFile: (p) => fs.readFileSync(p, "utf8"),
    writeFile: (p, t) => {
      fs.writeFileSync(p, t);
    },
    out: (l) => lines.push(l),
    now: () => clock.now,
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
  };
}

const reads = () => Number(fs.readFileSync(path.join(dir, "reads"), "utf8"));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-release-"));
  stub = path.join(dir, "kubectl");
  const d = JSON.stringify(dir);
  fs.writeFileSync(
    stub,
    `#!/usr/bin/env bash
printf '%s\\n' "$*" >> ${d}/calls.log
case " $* " in
  *" get canary.flagger.app goapi "*)
    n=$(( $(cat ${d}/reads 2>/dev/null || echo 0) + 1 )); echo "$n" > ${d}/reads
    f=${d}/canary-$(printf '%04d' "$n").json
    [ -f "$f" ] || f=$(ls ${d}/canary-*.json | tail -n 1)
    cat "$f" ;;
  *" get deployment goapi "*) cat ${d}/target.json ;;
  *" get events "*) cat ${d}/events.json ;;
  *) echo "stub kubectl: unexpected $*" >&2; exit 99 ;;
esac
`,
    { mode: 0o755 },
  );
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const progressing = (hash: string, weight: number, failed = 0): Status => ({ phase: "Progressing", hash, promoted: "h1", weight, failed });

describe("release:watch after an up that changed the image", () => {
  it("follows Progressing 5 → 20 to Succeeded: exit 0, one line per change", async () => {
    const mark = await markFile("h1", "Succeeded");
    script([
      { phase: "Succeeded", hash: "h1", promoted: "h1" },
      progressing("h2", 0),
      progressing("h2", 5),
      progressing("h2", 5),
      progressing("h2", 20),
      { phase: "Promoting", hash: "h2", promoted: "h1" },
      { phase: "Finalising", hash: "h2", promoted: "h1" },
      { phase: "Succeeded", hash: "h2", promoted: "h2" },
    ]);
    const io = testIo();
    const record = path.join(dir, "record.json");
    expect(await main(["watch", "--mark", mark, "--record", record, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines).toEqual([
      "Following the release of canary goapi/goapi",
      "+0s goapi/goapi: Succeeded, (the previous release: Flagger has not seen the new template yet)",
      "+5s goapi/goapi: Progressing",
      "+10s goapi/goapi: Progressing, weight 5%",
      "+20s goapi/goapi: Progressing, weight 20%",
      "+25s goapi/goapi: Promoting",
      "+30s goapi/goapi: Finalising",
      "+35s goapi/goapi: Succeeded",
      "+35s goapi/goapi: promoted",
    ]);
    expect(reads()).toBe(8);
    expect(JSON.parse(fs.readFileSync(record, "utf8"))).toEqual({
      readAt: "2026-12-06T00:00:35.000Z",
      canaries: [
        {
          namespace: "goapi",
          name: "goapi",
          phase: "Succeeded",
          canaryWeight: 0,
          failedChecks: 0,
          lastTransitionTime: "2026-12-06T00:00:00Z",
          message: "Canary analysis completed successfully, promotion finished.",
        },
      ],
    });
  });

  it("a rollback (Progressing, failed checks, then Failed): exit 1 with the Canary's last events, secrets redacted", async () => {
    const mark = await markFile("h1", "Succeeded");
    const event = (reason: string, type: string, message: string, at: string) => ({
      type,
      reason,
      message,
      lastTimestamp: at,
      involvedObject: { kind: "Canary", name: "goapi" },
    });
    script(
      [progressing("h2", 0), progressing("h2", 5), progressing("h2", 5, 1), progressing("h2", 5, 2), { phase: "Failed", hash: "h2", promoted: "h1" }],
      "goapi@sha256:bbbb",
      [
        event("Synced", "Warning", "Rolling back goapi.goapi failed checks threshold reached 2", "2026-12-06T00:04:36Z"),
        event("Synced", "Normal", "New revision detected! Scaling up goapi.goapi", "2026-12-06T00:00:36Z"),
        event("Synced", "Warning", `Halt advancement no values found for metric p99-milliseconds from ${secrets.databaseUrl}`, "2026-12-06T00:02:36Z"),
        event("Synced", "Warning", "Canary failed! Scaling down goapi.goapi", "2026-12-06T00:04:37Z"),
      ],
    );
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(1);
    expect(io.lines.slice(1, 6)).toEqual([
      "+0s goapi/goapi: Progressing",
      "+5s goapi/goapi: Progressing, weight 5%",
      "+10s goapi/goapi: Progressing, weight 5%, failed checks 1/2",
      "+15s goapi/goapi: Progressing, weight 5%, failed checks 2/2",
      "+20s goapi/goapi: Failed",
    ]);
    expect(io.lines.slice(6)).toEqual([
      "+20s goapi/goapi: rolled back",
      "  last events of canary goapi/goapi:",
      "    2026-12-06T00:00:36Z Normal Synced: New revision detected! Scaling up goapi.goapi",
      "    2026-12-06T00:02:36Z Warning Synced: Halt advancement no values found for metric p99-milliseconds from [redacted]",
      "    2026-12-06T00:04:36Z Warning Synced: Rolling back goapi.goapi failed checks threshold reached 2",
      "    2026-12-06T00:04:37Z Warning Synced: Canary failed! Scaling down goapi.goapi",
    ]);
    expect(io.lines.join("\n")).not.toContain(secrets.password);
  });

  it("the previous release's Succeeded at the start does not end the watch: this release's Failed does", async () => {
    const mark = await markFile("h1", "Succeeded");
    const stale = { phase: "Succeeded", hash: "h1", promoted: "h1" };
    script([stale, stale, stale, stale, progressing("h2", 5), progressing("h2", 5, 2), { phase: "Failed", hash: "h2", promoted: "h1" }]);
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(1);
    expect(reads()).toBe(7);
  });

  it("without a mark, a terminal phase counts only after two quiet intervals, or after the release was seen moving", async () => {
    const stale = { phase: "Succeeded", hash: "h1", promoted: "h1" };
    // Flagger notices the new template 100 s after the watch began (under two 1m intervals).
    script([...Array<Status>(20).fill(stale), progressing("h2", 5), { phase: "Failed", hash: "h2", promoted: "h1" }]);
    const io = testIo();
    expect(await main(["watch", "--", stub], canaryState, io)).toBe(1);
    expect(io.lines[0]).toContain("no mark from before the update");
    expect(reads()).toBe(22);

    // Nothing moves: the last release's phase is the answer once it held for two intervals (120 s).
    fs.rmSync(path.join(dir, "reads"));
    for (const f of fs.readdirSync(dir).filter((x) => x.startsWith("canary-"))) {
      fs.rmSync(path.join(dir, f));
    }
    script([stale]);
    const quiet = testIo();
    expect(await main(["watch", "--", stub], canaryState, quiet)).toBe(0);
    expect(quiet.lines.at(-1)).toBe("+2m00s goapi/goapi: promoted");
  });

  it("Flagger's re-sync of a Failed Canary under the new hash (just before it starts the release) is not taken for a rollback", async () => {
    const mark = await markFile("h1", "Failed");
    script([
      { phase: "Failed", hash: "h1", promoted: "h0" },
      { phase: "Failed", hash: "h2", promoted: "h0" },
      { phase: "Progressing", hash: "h2", promoted: "h0", weight: 5 },
      { phase: "Promoting", hash: "h2", promoted: "h0" },
      { phase: "Succeeded", hash: "h2", promoted: "h2" },
    ]);
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines.at(-1)).toBe("+20s goapi/goapi: promoted");
  });

  it("times out with exit 3, naming the phase it is stuck in: after --timeout, or the bound derived from the Canary", async () => {
    const mark = await markFile("h1", "Succeeded");
    script([progressing("h2", 5)]);
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--timeout", "60", "--", stub], canaryState, io)).toBe(3);
    expect(io.lines.at(-1)).toBe("+1m00s goapi/goapi: timed out after 1m00s, stuck in Progressing, weight 5%");

    // (2 steps + 2 failed checks + 5 passes) × 1m × 1.5 + 600 s progress deadline = 1410 s.
    const derived = testIo();
    expect(await main(["watch", "--mark", mark, "--poll", "30", "--", stub], canaryState, derived)).toBe(3);
    expect(derived.lines.at(-1)).toBe("+23m30s goapi/goapi: timed out after 23m30s, stuck in Progressing, weight 5%");
  });

  it("the previous release's phase while Flagger never picks up the new template: a timeout, not a success", async () => {
    const mark = await markFile("h1", "Succeeded");
    script([{ phase: "Succeeded", hash: "h1", promoted: "h1" }]);
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--timeout", "600", "--", stub], canaryState, io)).toBe(3);
    expect(io.lines.at(-1)).toBe("+10m00s goapi/goapi: timed out after 10m00s, stuck in Succeeded, (the previous release: Flagger has not seen the new template yet)");
  });
});

describe("release:watch after an up that did not start a release", () => {
  it("an unchanged pod template: the last release's phase at once (0 after a promotion, 1 while it stands rolled back)", async () => {
    const mark = await markFile("h1", "Succeeded", "goapi@sha256:aaaa");
    script([{ phase: "Succeeded", hash: "h1", promoted: "h1" }], "goapi@sha256:aaaa");
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines.at(-1)).toMatch(/^\+0s goapi\/goapi: no new release: this update started no release/);

    const failedMark = await markFile("h1", "Failed", "goapi@sha256:aaaa");
    script([{ phase: "Failed", hash: "h1", promoted: "h0" }], "goapi@sha256:aaaa");
    const failed = testIo();
    expect(await main(["watch", "--mark", failedMark, "--", stub], canaryState, failed)).toBe(1);
    expect(failed.lines).toContain("+0s goapi/goapi: rolled back");
  });

  it("a redeploy of the promoted template after a rollback: Flagger keeps Failed, starts nothing, and the primary runs it", async () => {
    const mark = await markFile("h1", "Failed");
    script([
      { phase: "Failed", hash: "h1", promoted: "h0" },
      { phase: "Failed", hash: "h0", promoted: "h0" },
    ]);
    const io = testIo();
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines.at(-1)).toMatch(/^\+5s goapi\/goapi: no new release/);
  });

  it("a Canary this up created: its first release is Flagger's initialization", async () => {
    script([{}, { phase: "Initializing" }, { phase: "Initialized", hash: "h1", promoted: "h1" }]);
    const io = testIo();
    const mark = path.join(dir, "mark.json");
    fs.writeFileSync(mark, JSON.stringify({ takenAt: "2026-12-06T00:00:00Z", canaries: [] }));
    expect(await main(["watch", "--mark", mark, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines.slice(1)).toEqual([
      "+0s goapi/goapi: no status yet (Flagger has not picked the Canary up)",
      "+5s goapi/goapi: Initializing",
      "+10s goapi/goapi: Initialized",
      "+10s goapi/goapi: initialized",
    ]);
  });
});

describe("rollout/release-cli.ts", () => {
  it("mark: the Canary's hash and phase and a digest of the target's template, through the provider's kubeconfig", async () => {
    const file = await markFile("h1", "Succeeded");
    const mark = JSON.parse(fs.readFileSync(file, "utf8")) as { canaries: { template: string }[] };
    expect(mark).toEqual({
      takenAt: "2026-12-06T00:00:00.000Z",
      canaries: [{ namespace: "goapi", name: "goapi", lastAppliedSpec: "h1", phase: "Succeeded", template: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown }],
    });
    expect(fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n")).toEqual([
      "--kubeconfig=/home/user/.kube/config --context=kind-goapi get canary.flagger.app goapi --namespace=goapi --ignore-not-found --output=json",
      "--kubeconfig=/home/user/.kube/config --context=kind-goapi get deployment goapi --namespace=goapi --ignore-not-found --output=json",
    ]);
  });

  it("status: the phase now, written for the pull-request report", async () => {
    script([{ phase: "Failed", hash: "h2", promoted: "h1" }]);
    const io = testIo();
    const record = path.join(dir, "record.json");
    expect(await main(["status", "--record", record, "--", stub], canaryState, io)).toBe(0);
    expect(io.lines).toEqual(["goapi/goapi: Failed since 2026-12-06T00:00:00Z"]);
    expect(JSON.parse(fs.readFileSync(record, "utf8"))).toMatchObject({ canaries: [{ name: "goapi", phase: "Failed", message: "Canary analysis failed, Deployment scaled to zero." }] });
  });

  it("a stack without a Canary has nothing to follow; bad usage and a state that is no export exit 2", async () => {
    const io = testIo();
    expect(await main(["watch", "--", stub], stateText, io)).toBe(0);
    expect(io.lines).toEqual(["The release: the stack declares no Canary (delivery.strategy rolling): nothing to follow."]);
    expect(await main([], canaryState, io)).toBe(2);
    expect(await main(["mark"], canaryState, io)).toBe(2);
    expect(await main(["status"], canaryState, io)).toBe(2);
    expect(await main(["watch", "--timeout", "soon"], canaryState, io)).toBe(2);
    expect(await main(["watch"], "error: no stack", io)).toBe(2);
    expect(io.lines.at(-1)).toContain("cannot tell: the stack's state is not JSON");
  });
});

describe("describeRelease, for the pull-request report", () => {
  const record = (canaries: CanaryRecord[]): ReleaseRecord => ({ readAt: "2026-12-06T02:00:00.000Z", canaries });
  const one = (c: Partial<CanaryRecord>) => describeRelease(record([{ namespace: "goapi", name: "goapi", phase: "", ...c }])).split("\n")[1];

  it("names each phase's outcome", () => {
    expect(one({ phase: "Succeeded" })).toBe("- canary `goapi/goapi`: promoted");
    expect(one({ phase: "Failed" })).toBe("- canary `goapi/goapi`: **rolled back**: the primary runs the previous version");
    expect(one({ phase: "Initialized" })).toBe("- canary `goapi/goapi`: initialized (the first release: nothing analysed)");
    expect(one({ phase: "absent" })).toBe("- canary `goapi/goapi`: no Canary in the cluster");
    expect(one({ phase: "" })).toBe("- canary `goapi/goapi`: not picked up by Flagger yet");
    expect(one({ phase: "Progressing" })).toBe("- canary `goapi/goapi`: in progress (`Progressing`)");
    expect(one({ phase: "Progressing", canaryWeight: 20, failedChecks: 1 })).toBe("- canary `goapi/goapi`: in progress (`Progressing`, weight 20 %, failed checks 1)");
    expect(one({ phase: "Promoting", canaryWeight: 0, failedChecks: 0 })).toBe("- canary `goapi/goapi`: in progress (`Promoting`)");
  });

  it("adds when the phase began and Flagger's message; one line per Canary under the time it was read", () => {
    expect(one({ phase: "Succeeded", lastTransitionTime: "2026-12-06T01:00:00Z", message: "Canary analysis completed successfully, promotion finished." })).toBe(
      "- canary `goapi/goapi`: promoted since 2026-12-06T01:00:00Z (Flagger: Canary analysis completed successfully, promotion finished.)",
    );
    expect(one({ phase: "Succeeded", message: "" })).toBe("- canary `goapi/goapi`: promoted");
    expect(
      describeRelease(
        record([
          { namespace: "a", name: "x", phase: "Succeeded" },
          { namespace: "b", name: "y", phase: "Failed" },
        ]),
      ).split("\n"),
    ).toEqual(["The last release, as the deploy read it at 2026-12-06T02:00:00.000Z:", "- canary `a/x`: promoted", "- canary `b/y`: **rolled back**: the primary runs the previous version"]);
  });
});
